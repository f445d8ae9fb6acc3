//! What happens in the town each month, and the reports each event leaves
//! in each agency's records: the ordinary life of every child, and the
//! escalating signs around children drawn into a network.

use jiff::civil::{Date, DateTime, Time};
use jiff::{Span, ToSpan};
use rand::Rng;
use rand::seq::IndexedRandom;

use crate::render::{Agency, Known, ReportBuilder, called, cap, one, pronoun};
use crate::world::World;
use crate::{Noise, Tally};

pub struct Ctx<'a> {
    pub world: &'a World,
    pub noise: &'a Noise,
    pub tally: &'a mut Tally,
    pub out: Vec<(ReportBuilder, &'static str)>,
}

fn at(date: Date, rng: &mut impl Rng, day_hours: bool) -> DateTime {
    let hour = if day_hours {
        rng.random_range(8..18)
    } else {
        *[19, 20, 21, 22, 23, 0, 1, 2, 3].choose(rng).unwrap_or(&22)
    };
    date.to_datetime(Time::new(hour, rng.random_range(0..60), 0, 0).unwrap_or(Time::midnight()))
}

fn later(dt: DateTime, rng: &mut impl Rng, min_hours: i64, max_hours: i64) -> DateTime {
    dt.checked_add(Span::new().minutes(rng.random_range(min_hours * 60..=max_hours * 60)))
        .unwrap_or(dt)
}

const AUTHORS_POLICE: &[&str] = &[
    "PC 4471 Hargreaves",
    "PC 2290 Nolan",
    "DC 118 Akhtar",
    "PS 761 Brennan",
    "PCSO 9012 Lyons",
];
const AUTHORS_SC: &[&str] = &[
    "J. Whitworth (SW)",
    "S. Begum (SW)",
    "MASH duty worker",
    "K. Doyle (Team Manager)",
];
const AUTHORS_HEALTH: &[&str] = &[
    "Dr R. Patel",
    "Nurse Collins",
    "Safeguarding Nurse",
    "ED triage",
];
const AUTHORS_EDU: &[&str] = &["DSL", "Head of Year", "Pastoral Lead", "Attendance Officer"];
const AUTHORS_VOL: &[&str] = &["RHI worker", "Youth worker", "Outreach worker"];

impl Ctx<'_> {
    /// A report about `child` as its subject, well known to the agency,
    /// recorded between `lag.0` and `lag.1` hours after it happened.
    #[allow(clippy::too_many_arguments)]
    fn subject_report(
        &mut self,
        agency: Agency,
        kind: &'static str,
        child: usize,
        la: usize,
        date: Date,
        day_hours: bool,
        lag: (i64, i64),
        rng: &mut impl Rng,
    ) -> ReportBuilder {
        let occurred = at(date, rng, day_hours);
        let mut b = ReportBuilder::new(
            agency,
            la,
            kind,
            occurred,
            later(occurred, rng, lag.0, lag.1),
        );
        b.person(
            self.world,
            child,
            "subject",
            Known::Well,
            self.noise,
            self.tally,
            rng,
        );
        b
    }

    fn push(&mut self, b: ReportBuilder, authors: &'static [&'static str], rng: &mut impl Rng) {
        let author = authors.choose(rng).copied().unwrap_or("duty officer");
        self.out.push((b, author));
    }

    fn la_of(&self, child: usize, on: Date) -> usize {
        let p = &self.world.people[child];
        p.household
            .map(|h| self.world.addresses[self.world.households[h].address_on(on)].la)
            .unwrap_or(0)
    }

    /// A sentence about something else: negations, hedges, history and
    /// other people, so that a detector must read, not just match.
    fn context_sentence(&self, child: usize, date: Date, rng: &mut impl Rng) -> String {
        let p = &self.world.people[child];
        let (she, her) = pronoun(p);
        let friend = p
            .friends
            .choose(rng)
            .map(|&f| self.world.people[f].given.to_string())
            .unwrap_or_else(|| "a friend".into());
        let year = date.year() - rng.random_range(1..=3);
        let s = match rng.random_range(0..10) {
            0 => format!("{she} denies being hurt."),
            1 => "No concerns about older males were raised.".to_string(),
            2 => format!("Mother worries {she} may be mixing with an older crowd."),
            3 => format!("{her} friend {friend} is said to have an older boyfriend."),
            4 => {
                format!("{she} went missing once in {year} but there have been no episodes since.")
            }
            5 => format!("Not missing, {she} was at {her} aunt's as arranged."),
            6 => format!("{her} older brother was arrested last year."),
            7 => format!("{she} says {she} is happy at home and no concerns were disclosed."),
            8 => "Denies alcohol or drug use.".to_string(),
            _ => "Parents engaging well.".to_string(),
        };
        cap(&s)
    }

    // ---- ordinary life --------------------------------------------------

    pub fn ordinary(&mut self, child: usize, date: Date, rng: &mut impl Rng) {
        let w = self.world;
        let p = &w.people[child];
        let age = p.age_on(date);
        let la = self.la_of(child, date);
        let (she, her) = pronoun(p);
        let name = called(p, rng);
        let roll: f64 = rng.random();
        // Annual rates, chosen by age (the caller draws one event a month
        // with the sum of these rates).
        let options: Vec<(&str, f64)> = vec![
            (
                "attendance",
                if (5..=16).contains(&age) { 0.25 } else { 0.0 },
            ),
            ("health", 0.15),
            ("low_mood", if (9..=17).contains(&age) { 0.08 } else { 0.0 }),
            (
                "exclusion",
                if (11..=16).contains(&age) { 0.03 } else { 0.0 },
            ),
            (
                "missing_friends",
                if (11..=17).contains(&age) { 0.03 } else { 0.0 },
            ),
            (
                "shoplifting",
                if (10..=17).contains(&age) { 0.04 } else { 0.0 },
            ),
            (
                "self_harm",
                if (12..=17).contains(&age) { 0.02 } else { 0.0 },
            ),
            ("bereavement", 0.01),
            ("lift", if (8..=16).contains(&age) { 0.03 } else { 0.0 }),
            ("online", if (11..=16).contains(&age) { 0.04 } else { 0.0 }),
            (
                "send",
                if p.send && (4..=16).contains(&age) {
                    0.3
                } else {
                    0.0
                },
            ),
        ];
        let total: f64 = options.iter().map(|(_, r)| r).sum();
        let mut x = roll * total;
        let mut event = "health";
        for (e, r) in &options {
            if x < *r {
                event = e;
                break;
            }
            x -= r;
        }
        let noise = self.noise;
        match event {
            "attendance" => {
                let mut b = self.subject_report(
                    Agency::Education,
                    "school_attendance",
                    child,
                    la,
                    date,
                    true,
                    (1, 48),
                    rng,
                );
                let pct = rng.random_range(78..93);
                b.narrative = format!(
                    "Attendance letter sent to parents: {pct}% this term. {}",
                    one(
                        &[
                            "Illness explained most absences.",
                            "Family holiday in term time.",
                            "Late arrivals most mornings.",
                            "Medical appointments noted."
                        ],
                        rng
                    )
                );
                b.outcome("advice_given", "Attendance letter");
                self.push(b, AUTHORS_EDU, rng);
            }
            "health" => {
                let mut b = self.subject_report(
                    Agency::Health,
                    "health_attendance",
                    child,
                    la,
                    date,
                    true,
                    (1, 24),
                    rng,
                );
                b.narrative = format!(
                    "{} {}",
                    one(
                        &[
                            "Attended with mother following a fall at football. X-ray clear.",
                            "Asthma review. Inhaler technique checked.",
                            "Attended ED with a sprained wrist from trampolining, consistent with account.",
                            "Fever and sore throat, treated and discharged.",
                            "Routine immunisation."
                        ],
                        rng
                    ),
                    self.context_sentence(child, date, rng)
                );
                b.outcome("no_further_action", "Discharged home");
                self.push(b, AUTHORS_HEALTH, rng);
            }
            "low_mood" => {
                let mut b = self.subject_report(
                    Agency::Education,
                    "school_concern",
                    child,
                    la,
                    date,
                    true,
                    (1, 72),
                    rng,
                );
                b.narrative = format!(
                    "{name} {} {}",
                    one(
                        &[
                            "was tearful in tutor time after falling out with friends.",
                            "seems withdrawn this week; exam stress mentioned.",
                            "upset about parents separating, spoke to the school counsellor."
                        ],
                        rng
                    ),
                    self.context_sentence(child, date, rng)
                );
                b.outcome(
                    one(&["advice_given", "early_help", "no_further_action"], rng),
                    "Pastoral support in school",
                );
                self.push(b, AUTHORS_EDU, rng);
            }
            "exclusion" => {
                let mut b = self.subject_report(
                    Agency::Education,
                    "exclusion",
                    child,
                    la,
                    date,
                    true,
                    (1, 24),
                    rng,
                );
                b.narrative = format!(
                    "Fixed term exclusion, {} days, for {}.",
                    rng.random_range(1..4),
                    one(
                        &[
                            "fighting",
                            "persistent disruption",
                            "swearing at staff",
                            "vaping on site"
                        ],
                        rng
                    )
                );
                b.outcome("no_further_action", "Reintegration meeting booked");
                self.push(b, AUTHORS_EDU, rng);
            }
            "missing_friends" => {
                let occurred = at(date, rng, false);
                let back = later(occurred, rng, 2, 9);
                let mut b = ReportBuilder::new(
                    Agency::Police,
                    la,
                    "missing_episode",
                    occurred,
                    later(back, rng, 1, 12),
                );
                b.ended = Some(back);
                let r = b.person(w, child, "subject", Known::Well, noise, self.tally, rng);
                if let Some(&f) = p.friends.choose(rng) {
                    let fr = b.person(w, f, "associate", Known::Partly, noise, self.tally, rng);
                    b.relate(&r, &fr, "with");
                }
                b.narrative = format!(
                    "MFH. {name} did not return home after a party and was found at a friend's house in the morning. {} {}",
                    one(
                        &[
                            "Safe and well check completed.",
                            "Returned by friend's parent.",
                            "First episode."
                        ],
                        rng
                    ),
                    self.context_sentence(child, date, rng)
                );
                b.code("police_flag", "MISSING");
                b.outcome("no_further_action", "Low risk; returned safe and well");
                self.push(b, AUTHORS_POLICE, rng);
            }
            "shoplifting" => {
                let occurred = at(date, rng, true);
                let mut b = ReportBuilder::new(
                    Agency::Police,
                    la,
                    "crime",
                    occurred,
                    later(occurred, rng, 1, 24),
                );
                let r = b.person(w, child, "suspect", Known::Well, noise, self.tally, rng);
                if let Some(&f) = p.friends.choose(rng) {
                    let fr = b.person(w, f, "suspect", Known::Well, noise, self.tally, rng);
                    b.relate(&r, &fr, "with");
                }
                b.narrative = format!(
                    "Shoplifting from a supermarket with a friend: {}. Items recovered. {}",
                    one(
                        &["make-up", "sweets and energy drinks", "a phone case"],
                        rng
                    ),
                    self.context_sentence(child, date, rng)
                );
                b.outcome(
                    one(&["advice_given", "no_further_action"], rng),
                    "Community resolution",
                );
                self.push(b, AUTHORS_POLICE, rng);
                if rng.random_bool(0.25) {
                    let when = later(occurred, rng, 72, 500);
                    let mut y = ReportBuilder::new(
                        Agency::YouthJustice,
                        la,
                        "youth_offending",
                        when,
                        later(when, rng, 1, 48),
                    );
                    y.person(w, child, "subject", Known::Well, noise, self.tally, rng);
                    y.narrative = format!(
                        "Out of court disposal assessment after shoplifting. {name} engaged well and completed a victim awareness session."
                    );
                    y.outcome("advice_given", "Triage completed");
                    self.push(y, &["YOT officer"], rng);
                }
            }
            "self_harm" => {
                let mut b = self.subject_report(
                    Agency::Health,
                    "health_attendance",
                    child,
                    la,
                    date,
                    false,
                    (1, 24),
                    rng,
                );
                b.narrative = format!(
                    "Attended ED after superficial self-harm to forearm. {she} says it was after an argument at home. Referred to CAMHS. {}",
                    self.context_sentence(child, date, rng)
                );
                b.outcome("referred", "CAMHS referral");
                self.push(b, AUTHORS_HEALTH, rng);
            }
            "bereavement" => {
                let mut b = self.subject_report(
                    Agency::Education,
                    "school_concern",
                    child,
                    la,
                    date,
                    true,
                    (1, 48),
                    rng,
                );
                b.narrative = format!(
                    "{name}'s grandparent died last week; {she} is struggling in lessons. Offered time with the learning mentor."
                );
                b.outcome("early_help", "In-school support");
                self.push(b, AUTHORS_EDU, rng);
            }
            "lift" => {
                // A legitimate adult with a car: the noise around H3.
                let hh = p.household.map(|h| &w.households[h]);
                let car = hh.and_then(|h| {
                    w.family_cars
                        .iter()
                        .find(|(a, _)| h.adults.contains(a))
                        .copied()
                });
                let occurred = at(date, rng, true);
                let mut b = ReportBuilder::new(
                    Agency::Education,
                    la,
                    "school_concern",
                    occurred,
                    later(occurred, rng, 1, 48),
                );
                let r = b.person(w, child, "subject", Known::Well, noise, self.tally, rng);
                if let Some((adult, c)) = car {
                    let a = b.person(
                        w,
                        adult,
                        "parent_carer",
                        Known::Well,
                        noise,
                        self.tally,
                        rng,
                    );
                    let v = b.vehicle(w, c, noise, self.tally, rng);
                    b.relate(&a, &v, "driving");
                    b.relate(&r, &v, "passenger");
                }
                b.narrative = format!(
                    "{name} collected at lunchtime by {} in a car for a dental appointment. Parent had phoned ahead; {} {}",
                    one(&["dad", "mum", "an uncle", "grandad"], rng),
                    one(
                        &[
                            "no concerns.",
                            "arrangement confirmed.",
                            "recorded for information."
                        ],
                        rng
                    ),
                    self.context_sentence(child, date, rng)
                );
                b.outcome("no_further_action", "Recorded for information");
                self.push(b, AUTHORS_EDU, rng);
            }
            "online" => {
                let mut b = self.subject_report(
                    Agency::Education,
                    "school_concern",
                    child,
                    la,
                    date,
                    true,
                    (1, 48),
                    rng,
                );
                b.narrative = format!(
                    "{} {}",
                    one(
                        &[
                            &format!(
                                "Group chat argument between Year {} pupils; {name} involved. Parents informed.",
                                (age - 4).clamp(7, 11)
                            ),
                            "Staff may need to check whether a gaming contact is an adult; parent says the contact is a cousin.",
                            "Online safety session; no disclosures."
                        ],
                        rng
                    ),
                    self.context_sentence(child, date, rng)
                );
                b.outcome("advice_given", "Online safety advice");
                self.push(b, AUTHORS_EDU, rng);
            }
            _ => {
                let mut b = self.subject_report(
                    Agency::Education,
                    "assessment",
                    child,
                    la,
                    date,
                    true,
                    (24, 240),
                    rng,
                );
                b.narrative = format!(
                    "SEN support plan review for {name}. Progress with reading; speech and language input continues."
                );
                b.code("cin_factor", "5A");
                b.outcome("ongoing", "Plan continues");
                self.push(b, AUTHORS_EDU, rng);
            }
        }
        let _ = her;
    }

    pub fn domestic_abuse(&mut self, household: usize, date: Date, rng: &mut impl Rng) {
        let w = self.world;
        let hh = &w.households[household];
        let Some(&adult) = hh.adults.first() else {
            return;
        };
        let la = w.addresses[hh.address_on(date)].la;
        let occurred = at(date, rng, false);
        let mut b = ReportBuilder::new(
            Agency::Police,
            la,
            "incident",
            occurred,
            later(occurred, rng, 1, 12),
        );
        let victim = b.person(w, adult, "victim", Known::Well, self.noise, self.tally, rng);
        if let Some(&other) = hh.adults.get(1) {
            let s = b.person(
                w,
                other,
                "suspect",
                Known::Well,
                self.noise,
                self.tally,
                rng,
            );
            b.relate(&s, &victim, "with");
        }
        for &c in &hh.children {
            if w.people[c].dob <= date && w.people[c].age_on(date) < 18 {
                b.person(w, c, "sibling", Known::Well, self.noise, self.tally, rng);
            }
        }
        b.narrative = format!(
            "Domestic incident: verbal argument between partners, neighbours called. {} Children present but asleep upstairs. DASH completed: {} risk.",
            one(
                &[
                    "No injuries.",
                    "Minor injury to victim's arm, declined medical attention.",
                    "Suspect left before police arrival."
                ],
                rng
            ),
            one(&["standard", "medium"], rng)
        );
        b.code("police_flag", "DA");
        b.outcome(
            one(&["no_further_action", "referred"], rng),
            "Referral to children's services for information",
        );
        self.push(b, AUTHORS_POLICE, rng);
    }

    // ---- exploitation ---------------------------------------------------

    /// One event in the exploitation of `victim` by network `net`, its
    /// signs stronger the longer it has gone on (`months` since it began).
    pub fn exploitation(
        &mut self,
        net: usize,
        victim: usize,
        months: i64,
        date: Date,
        rng: &mut impl Rng,
    ) {
        let w = self.world;
        let n = &w.networks[net];
        let v = &n.victims[victim];
        let child = v.person;
        let p = &w.people[child];
        let la = self.la_of(child, date);
        let (she, her) = pronoun(p);
        let name = called(p, rng);
        let hidden = v.hidden_until.is_some_and(|h| date < h);
        let perp = n.adults.choose(rng).copied().unwrap_or(0);
        let perp_name = w.people[perp]
            .alias
            .map_or_else(|| w.people[perp].given.to_string(), str::to_string);
        let car = n.cars.choose(rng).copied();
        let venue = n.venues.choose(rng).copied();
        let venue_name = venue
            .map(|v| w.places[v].name.clone())
            .unwrap_or_else(|| "a flat".into());
        let noise = self.noise;
        // A friend also being exploited, for reports that name two children.
        let co_victim = n
            .victims
            .iter()
            .filter(|o| o.person != child && o.start <= date)
            .map(|o| o.person)
            .collect::<Vec<_>>()
            .choose(rng)
            .copied();

        let kinds: &[(&str, u32)] = if hidden {
            // Hidden victims appear only beside others.
            &[("car_stop", 1)]
        } else if months < 2 {
            &[
                ("missing", 3),
                ("school", 4),
                ("car_stop", 1),
                ("referral", 1),
                ("health", 1),
            ]
        } else {
            &[
                ("missing", 5),
                ("school", 2),
                ("car_stop", 2),
                ("hotel", 1),
                ("health", 2),
                ("referral", 2),
                ("rhi", 1),
            ]
        };
        let total: u32 = kinds.iter().map(|(_, w)| w).sum();
        let mut x = rng.random_range(0..total);
        let mut kind = "missing";
        for (k, wgt) in kinds {
            if x < *wgt {
                kind = k;
                break;
            }
            x -= wgt;
        }
        match kind {
            "missing" => {
                let occurred = at(date, rng, false);
                let back = later(occurred, rng, 4, if months > 4 { 60 } else { 20 });
                let mut b = ReportBuilder::new(
                    Agency::Police,
                    la,
                    "missing_episode",
                    occurred,
                    later(back, rng, 1, 10),
                );
                b.ended = Some(back);
                let r = b.person(w, child, "subject", Known::Well, noise, self.tally, rng);
                let mut text = format!(
                    "{name} reported missing by {}. ",
                    one(
                        &["mother", "carers", "her father", "the residential home"],
                        rng
                    )
                );
                let how = rng.random_range(0..5);
                match how {
                    0 if car.is_some() => {
                        let cr = car
                            .map(|c| b.vehicle(w, c, noise, self.tally, rng))
                            .unwrap_or_default();
                        let pr =
                            b.person(w, perp, "associate", Known::Barely, noise, self.tally, rng);
                        b.relate(&pr, &cr, "driving");
                        b.relate(&r, &cr, "passenger");
                        text += &format!(
                            "Returned at {} dropped off by an older male in a {} car. ",
                            back.strftime("%H:%M"),
                            w.cars[car.unwrap_or(0)].colour
                        );
                    }
                    1 => {
                        let lr = venue.map(|v| b.place(w, v, rng)).unwrap_or_default();
                        if !lr.is_empty() {
                            b.relate(&r, &lr, "seen_at");
                        }
                        text +=
                            &format!("Found at {venue_name} in the early hours with adult males. ");
                    }
                    2 => {
                        text += &format!(
                            "Located in {} with no explanation of how {she} got there. ",
                            one(
                                &[
                                    "Blackpool",
                                    "Bradford",
                                    "Leeds",
                                    "Manchester city centre",
                                    "Sheffield"
                                ],
                                rng
                            )
                        )
                    }
                    3 => {
                        text += &format!(
                            "Came home by taxi which had been paid for. {she} would not say by whom. "
                        )
                    }
                    _ => text += &format!("Returned by {her}self in the morning. "),
                }
                text += one(
                    &[
                        &format!("{} smelled of alcohol and had a new phone. ", cap(she)),
                        &format!(
                            "{cap_she} was tired and hungry but well dressed. ",
                            cap_she = cap(she)
                        ),
                        &format!(
                            "Has an older boyfriend called {perp_name} according to friends. "
                        ),
                        &format!("Had money and cigarettes {she} could not account for. "),
                        "Refused to engage with officers. ",
                        "",
                    ],
                    rng,
                );
                if months > 3 && rng.random_bool(0.4) {
                    text += &format!(
                        "This is the {} missing episode this year. ",
                        one(&["fourth", "fifth", "sixth", "eighth"], rng)
                    );
                }
                if rng.random_bool(0.5) {
                    text += &format!("{} ", cap(&format!("{she} denies being hurt.")));
                }
                if let Some(cv) = co_victim
                    && rng.random_bool(0.4)
                {
                    let fr = b.person(w, cv, "associate", Known::Partly, noise, self.tally, rng);
                    b.relate(&r, &fr, "with");
                    text += "Was with a friend who was also reported missing. ";
                }
                b.narrative = text.trim().to_string();
                b.code("police_flag", "MISSING");
                if months > 6 && rng.random_bool(0.3) {
                    b.code("police_flag", "CSE");
                }
                let nfa = rng.random_bool(if months < 6 { 0.7 } else { 0.45 });
                if nfa {
                    b.outcome(
                        "no_further_action",
                        one(
                            &[
                                "Returned safe and well.",
                                "Low risk. Known to go missing.",
                                "Putting herself at risk; parents advised.",
                            ],
                            rng,
                        ),
                    );
                } else {
                    b.outcome("referred", "Referred to MASH");
                }
                self.push(b, AUTHORS_POLICE, rng);
                // The return home interview, usually within 72 hours.
                if rng.random_bool(0.6) {
                    let when = later(back, rng, 24, 96);
                    let mut r2 = ReportBuilder::new(
                        Agency::Voluntary,
                        la,
                        "return_interview",
                        when,
                        later(when, rng, 1, 48),
                    );
                    r2.person(w, child, "subject", Known::Well, noise, self.tally, rng);
                    r2.narrative = format!(
                        "RHI completed. YP {} {}",
                        one(
                            &[
                                &format!(
                                    "said {she} was with friends in town and would not give names."
                                ),
                                "disclosed going to parties at a flat with older men and being given vodka, then withdrew this.",
                                &format!("said {her} boyfriend is 24 and buys {her} things."),
                                "reluctant to engage. Appeared frightened when asked about the car.",
                                &format!("said {she} stayed at {venue_name}."),
                            ],
                            rng
                        ),
                        one(
                            &[
                                "Worker concerned about possible CSE.",
                                "",
                                "Shared with the missing coordinator."
                            ],
                            rng
                        )
                    );
                    r2.outcome("referred", "Shared with children's services");
                    self.push(r2, AUTHORS_VOL, rng);
                }
            }
            "car_stop" => {
                let Some(c) = car else { return };
                let occurred = at(date, rng, false);
                let mut b = ReportBuilder::new(
                    Agency::Police,
                    la,
                    "incident",
                    occurred,
                    later(occurred, rng, 1, 24),
                );
                let vr = b.vehicle(w, c, noise, self.tally, rng);
                let pr = b.person(w, perp, "associate", Known::Partly, noise, self.tally, rng);
                b.relate(&pr, &vr, "driving");
                // A hidden victim appears only as a passenger beside a friend.
                let (subject, role) = if hidden {
                    (co_victim, "subject")
                } else {
                    (Some(child), "subject")
                };
                let mut names_in = Vec::new();
                if let Some(s) = subject {
                    let r = b.person(w, s, role, Known::Well, noise, self.tally, rng);
                    b.relate(&r, &vr, "passenger");
                    names_in.push(w.people[s].given);
                }
                if hidden || (co_victim.is_some() && rng.random_bool(0.3)) {
                    let other = if hidden {
                        child
                    } else {
                        co_victim.unwrap_or(child)
                    };
                    if Some(other) != subject {
                        let r =
                            b.person(w, other, "associate", Known::Partly, noise, self.tally, rng);
                        b.relate(&r, &vr, "passenger");
                        names_in.push(w.people[other].given);
                    }
                }
                if let Some(num) = n.phones.choose(rng) {
                    let t = b.phone(num, rng);
                    b.relate(&pr, &t, "uses_phone");
                }
                b.narrative = format!(
                    "Vehicle stopped at {} on {}. Driver an adult male, {}. Passengers: {} aged about {}. {} {}",
                    at(date, rng, false).strftime("%H:%M"),
                    one(
                        &[
                            "Market Street",
                            "the ring road",
                            "the retail park car park",
                            "Station Road"
                        ],
                        rng
                    ),
                    one(
                        &[
                            "gave the name of a relative",
                            "said he was giving them a lift home",
                            "no licence produced"
                        ],
                        rng
                    ),
                    names_in.join(" and "),
                    p.age_on(date),
                    one(
                        &[
                            "Girls gave conflicting accounts of where they had been.",
                            "Driver known to police for previous offences.",
                            "Alcohol in the car.",
                            "Passengers were dropped at home."
                        ],
                        rng
                    ),
                    one(
                        &["Words of advice given.", "Intelligence submitted.", ""],
                        rng
                    )
                );
                b.outcome(
                    one(&["no_further_action", "advice_given"], rng),
                    "Words of advice",
                );
                self.push(b, AUTHORS_POLICE, rng);
            }
            "hotel" if rng.random_bool(0.3) => {
                // A housing officer's report about the flat.
                let occurred = at(date, rng, true);
                let mut b = ReportBuilder::new(
                    Agency::Housing,
                    la,
                    "housing",
                    occurred,
                    later(occurred, rng, 2, 120),
                );
                let pr = b.person(w, perp, "other", Known::Partly, noise, self.tally, rng);
                if let Some(v) = venue {
                    let lr = b.place(w, v, rng);
                    b.relate(&pr, &lr, "lives_at");
                }
                b.narrative = format!(
                    "Neighbours complain of young girls visiting {venue_name} late at night and several men coming and going. Tenancy officer to visit."
                );
                b.outcome("ongoing", "Tenancy visit booked");
                self.push(b, &["Tenancy officer"], rng);
            }
            "hotel" => {
                let occurred = at(date, rng, false);
                let mut b = ReportBuilder::new(
                    Agency::Business,
                    la,
                    "intelligence",
                    occurred,
                    later(occurred, rng, 2, 72),
                );
                let r = b.person(w, child, "subject", Known::Barely, noise, self.tally, rng);
                let pr = b.person(w, perp, "associate", Known::Barely, noise, self.tally, rng);
                if let Some(v) = venue {
                    let lr = b.place(w, v, rng);
                    b.relate(&r, &lr, "seen_at");
                    b.relate(&pr, &lr, "seen_at");
                }
                b.narrative = format!(
                    "Report from {venue_name}: young girl, looked about {}, arrived late with two older men who paid cash and refused to give ID. Several male visitors to the room overnight.",
                    p.age_on(date) + rng.random_range(0..3)
                );
                b.grading("2", "B");
                b.outcome("referred", "Passed to police");
                self.push(b, &["night manager", "duty manager"], rng);
            }
            "health" => {
                let mut b = self.subject_report(
                    Agency::Health,
                    "health_attendance",
                    child,
                    la,
                    date,
                    true,
                    (1, 24),
                    rng,
                );
                b.narrative = format!(
                    "{} {}",
                    one(
                        &[
                            &format!(
                                "Attended sexual health clinic requesting emergency contraception, aged {}. Partner described as 'older'.",
                                p.age_on(date)
                            ),
                            &format!(
                                "{} y/o attended GUM clinic for EHC after a weekend away from home. Would not name partner.",
                                p.age_on(date)
                            ),
                            "Positive chlamydia test. Reluctant to name partner.",
                            "STI screen requested. YP vague about sexual partners; says he is 'a bit older'.",
                            "Brought to ED heavily intoxicated by an unknown male who left before triage.",
                            "Bruising to upper arms, explanation vague; says she fell.",
                            "Attended for pregnancy test.",
                        ],
                        rng
                    ),
                    one(
                        &[
                            "Safeguarding referral made.",
                            "Discussed with safeguarding nurse.",
                            ""
                        ],
                        rng
                    )
                );
                b.outcome("referred", "Safeguarding referral");
                self.push(b, AUTHORS_HEALTH, rng);
            }
            "school" => {
                let occurred = at(date, rng, true);
                let mut b = ReportBuilder::new(
                    Agency::Education,
                    la,
                    "school_concern",
                    occurred,
                    later(occurred, rng, 1, 72),
                );
                let r = b.person(w, child, "subject", Known::Well, noise, self.tally, rng);
                let mut text = one(&[
                    "Attendance has dropped sharply this half term and homework is not being done.",
                    &format!("{name} seen getting into a car with older men at the school gates at home time."),
                    &format!("{name} has a new expensive phone and new clothes; says a friend bought them."),
                    &format!("{name} talked in class about an older boyfriend who picks {her} up."),
                    &format!("{name} arrived late, tired and unkempt; fell asleep in lessons."),
                    &format!("{name}'s behaviour has changed: aggressive with staff and secretive about {her} phone."),
                ], rng)
                .to_string();
                if text.contains("car") && rng.random_bool(0.5) {
                    let pr = b.person(w, perp, "associate", Known::Barely, noise, self.tally, rng);
                    if let Some(c) = car {
                        let vr = b.vehicle(w, c, noise, self.tally, rng);
                        b.relate(&pr, &vr, "driving");
                        b.relate(&r, &vr, "passenger");
                    }
                }
                if rng.random_bool(0.3) {
                    text += &format!(" {}", self.context_sentence(child, date, rng));
                }
                b.narrative = text;
                b.outcome(
                    one(&["referred", "no_further_action", "early_help"], rng),
                    "DSL informed",
                );
                self.push(b, AUTHORS_EDU, rng);
            }
            "referral" | "rhi" => {
                let occurred = at(date, rng, true);
                let kind = if months > 8 && rng.random_bool(0.3) {
                    "assessment"
                } else {
                    "contact"
                };
                let mut b = ReportBuilder::new(
                    Agency::SocialCare,
                    la,
                    kind,
                    occurred,
                    later(occurred, rng, 2, 72),
                );
                b.person(w, child, "subject", Known::Well, noise, self.tally, rng);
                if let Some(hh) = p.household
                    && let Some(&parent) = w.households[hh].adults.first()
                {
                    b.person(
                        w,
                        parent,
                        "parent_carer",
                        Known::Well,
                        noise,
                        self.tally,
                        rng,
                    );
                }
                let blame = rng.random_bool(0.3);
                b.narrative = format!(
                    "Contact from {}. {} {}",
                    one(
                        &["police", "school", "health", "the missing coordinator"],
                        rng
                    ),
                    one(
                        &[
                            &format!(
                                "Concerns that {name} is being exploited by older males; repeated missing episodes."
                            ),
                            &format!("{name} associating with adults at {venue_name}."),
                            &format!(
                                "Parent reports {name} is out until the early hours and receiving gifts."
                            ),
                        ],
                        rng
                    ),
                    if blame {
                        one(
                            &[
                                &format!("{name} is streetwise and making {her} own choices."),
                                "YP is promiscuous and putting herself at risk.",
                                "Lifestyle choice; parents to set boundaries.",
                            ],
                            rng,
                        )
                        .to_string()
                    } else {
                        one(
                            &[
                                "Strategy discussion to be considered.",
                                "Allocated for assessment.",
                                "Information only.",
                            ],
                            rng,
                        )
                        .to_string()
                    }
                );
                if kind == "assessment" {
                    b.code("cin_factor", "11A");
                    b.code("cin_factor", "10A");
                }
                let action = if months > 10 && rng.random_bool(0.5) {
                    "strategy_discussion"
                } else if rng.random_bool(0.55) {
                    "no_further_action"
                } else {
                    "early_help"
                };
                b.outcome(
                    action,
                    if action == "no_further_action" {
                        "Parents engaging; no role for children's social care."
                    } else {
                        "Next steps agreed"
                    },
                );
                self.push(b, AUTHORS_SC, rng);
            }
            _ => {}
        }
    }

    /// Police intelligence about a network: adults, cars, phones, venues and
    /// some of the children around them, hidden ones included.
    pub fn intelligence(&mut self, net: usize, date: Date, rng: &mut impl Rng) {
        let w = self.world;
        let n = &w.networks[net];
        let active: Vec<usize> = n
            .victims
            .iter()
            .filter(|v| v.start <= date)
            .map(|v| v.person)
            .collect();
        if active.is_empty() {
            return;
        }
        let occurred = at(date, rng, true);
        let mut b = ReportBuilder::new(
            Agency::Police,
            n.la,
            "intelligence",
            occurred,
            later(occurred, rng, 2, 96),
        );
        let noise = self.noise;
        let mut adult_refs = Vec::new();
        let how_many = rng.random_range(1..=2);
        let chosen: Vec<usize> = n.adults.choose_multiple(rng, how_many).copied().collect();
        for a in chosen {
            adult_refs.push(b.person(w, a, "suspect", Known::Barely, noise, self.tally, rng));
        }
        let mut kids = Vec::new();
        let how_many = rng.random_range(1..=2usize).min(active.len());
        let chosen: Vec<usize> = active.choose_multiple(rng, how_many).copied().collect();
        for c in chosen {
            kids.push((
                b.person(w, c, "associate", Known::Partly, noise, self.tally, rng),
                w.people[c].given,
            ));
        }
        if let Some(&c) = n.cars.choose(rng) {
            let vr = b.vehicle(w, c, noise, self.tally, rng);
            if let Some(a) = adult_refs.first() {
                b.relate(a, &vr, "driving");
            }
        }
        if let Some(&v) = n.venues.choose(rng) {
            let lr = b.place(w, v, rng);
            for (k, _) in &kids {
                b.relate(k, &lr, "seen_at");
            }
        }
        if let Some(num) = n.phones.choose(rng)
            && let Some(a) = adult_refs.first()
        {
            let t = b.phone(num, rng);
            b.relate(a, &t, "uses_phone");
        }
        let alias = n
            .adults
            .iter()
            .find_map(|&a| w.people[a].alias)
            .unwrap_or("T");
        b.narrative = format!(
            "Information received that a male known as {alias} is {} Girls named as {} are said to be regularly in his company.",
            one(
                &[
                    "supplying alcohol and cannabis to young girls at a flat.",
                    "collecting schoolgirls in his car and taking them to parties.",
                    "giving girls lifts and phone credit in return for favours."
                ],
                rng
            ),
            kids.iter()
                .map(|(_, g)| *g)
                .collect::<Vec<_>>()
                .join(" and ")
        );
        b.grading(one(&["2", "3"], rng), one(&["B", "C", "D"], rng));
        self.push(b, AUTHORS_POLICE, rng);
    }

    /// An adult of a network in an unrelated police matter.
    pub fn adult_offence(&mut self, adult: usize, date: Date, rng: &mut impl Rng) {
        let w = self.world;
        let la = w.people[adult].household.map_or(0, |h| w.households[h].la);
        let occurred = at(date, rng, true);
        let mut b = ReportBuilder::new(
            Agency::Police,
            la,
            "crime",
            occurred,
            later(occurred, rng, 1, 48),
        );
        b.person(
            w,
            adult,
            "suspect",
            Known::Well,
            self.noise,
            self.tally,
            rng,
        );
        b.narrative = one(
            &[
                "Driving without insurance. Vehicle seized.",
                "Possession of cannabis. Street warning.",
                "Common assault outside a takeaway.",
                "Taxi licence check: documents in order.",
            ],
            rng,
        )
        .to_string();
        b.outcome(
            one(&["charged", "no_further_action", "advice_given"], rng),
            "",
        );
        self.push(b, AUTHORS_POLICE, rng);
    }
}

/// Whole months between two dates.
pub fn months_between(from: Date, to: Date) -> i64 {
    let m = (i64::from(to.year()) - i64::from(from.year())) * 12 + i64::from(to.month())
        - i64::from(from.month());
    m.max(0)
}

/// The first day of the month `n` months after `start`.
pub fn month_start(start: Date, n: i64) -> Date {
    start
        .first_of_month()
        .checked_add(n.months())
        .unwrap_or(start)
}
