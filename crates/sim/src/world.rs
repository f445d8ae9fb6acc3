//! The population: local authorities, addresses, schools, households,
//! children and adults, and the exploitation networks among them.

use jiff::civil::Date;
use rand::Rng;
use rand::seq::IndexedRandom;

use crate::names::{STREET_NAMES, Tradition};

pub struct LocalAuthority {
    pub code: &'static str,
    pub name: &'static str,
    pub town: &'static str,
    pub police_force: &'static str,
    /// Postcode districts, e.g. `RV1`.
    pub districts: Vec<String>,
    pub streets: &'static [&'static str],
    /// System names per agency, e.g. police `NICHE-RV`.
    pub tag: &'static str,
}

impl LocalAuthority {
    /// The team responsible for children living in `district`.
    pub fn team_for(&self, district: &str) -> String {
        let n: usize = district
            .trim_start_matches(|c: char| c.is_ascii_alphabetic())
            .parse()
            .unwrap_or(1);
        let locality = if n % 2 == 1 { "North" } else { "South" };
        format!("{} Children's Services {locality}", self.name)
    }
}

pub struct Address {
    pub text: String,
    pub postcode: String,
    pub la: usize,
}

impl Address {
    pub fn district(&self) -> &str {
        self.postcode.split(' ').next().unwrap_or("")
    }
}

pub struct School {
    pub name: String,
    pub la: usize,
    pub address: usize,
}

pub struct Person {
    pub id: String,
    pub given: &'static str,
    pub middle: Option<&'static str>,
    pub family: String,
    pub female: bool,
    pub dob: Date,
    pub tradition: Tradition,
    pub child: bool,
    pub household: Option<usize>,
    pub nhs: String,
    pub upn: Option<String>,
    pub phone: Option<String>,
    pub alias: Option<&'static str>,
    pub school: Option<usize>,
    /// A new family name from a date (a parent's remarriage, a change of
    /// name by deed): later reports use it.
    pub name_change: Option<(Date, String)>,
    /// Learning disability or special educational needs.
    pub send: bool,
    pub looked_after: bool,
    pub friends: Vec<usize>,
}

impl Person {
    pub fn family_on(&self, date: Date) -> &str {
        match &self.name_change {
            Some((from, name)) if date >= *from => name,
            _ => &self.family,
        }
    }

    pub fn age_on(&self, date: Date) -> i16 {
        let mut age = date.year() - self.dob.year();
        if (date.month(), date.day()) < (self.dob.month(), self.dob.day()) {
            age -= 1;
        }
        age
    }
}

pub struct Household {
    pub la: usize,
    /// Addresses with the date the household moved in, oldest first.
    pub addresses: Vec<(Date, usize)>,
    pub adults: Vec<usize>,
    pub children: Vec<usize>,
    pub domestic_abuse: bool,
}

impl Household {
    pub fn address_on(&self, date: Date) -> usize {
        self.addresses
            .iter()
            .rev()
            .find(|(from, _)| *from <= date)
            .or(self.addresses.first())
            .map_or(0, |(_, a)| *a)
    }

    /// The address before the current one on `date`, if the family moved.
    pub fn previous_address(&self, date: Date) -> Option<usize> {
        let idx = self.addresses.iter().rposition(|(from, _)| *from <= date)?;
        idx.checked_sub(1).map(|i| self.addresses[i].1)
    }
}

pub struct Place {
    pub id: String,
    pub name: String,
    pub category: &'static str,
    pub address: usize,
}

pub struct Car {
    pub id: String,
    pub registration: String,
    pub make: &'static str,
    pub colour: &'static str,
}

pub struct Victim {
    pub person: usize,
    pub start: Date,
    /// Never the subject of a report until this date: seen only as a friend
    /// or associate in other reports before it.
    pub hidden_until: Option<Date>,
}

pub struct Network {
    pub id: String,
    pub adults: Vec<usize>,
    pub venues: Vec<usize>,
    pub cars: Vec<usize>,
    pub phones: Vec<String>,
    pub victims: Vec<Victim>,
    pub la: usize,
}

pub struct World {
    pub las: Vec<LocalAuthority>,
    pub addresses: Vec<Address>,
    pub schools: Vec<School>,
    pub people: Vec<Person>,
    pub households: Vec<Household>,
    pub places: Vec<Place>,
    pub cars: Vec<Car>,
    pub networks: Vec<Network>,
    /// Legitimate adults who give children lifts (grandparents, uncles,
    /// family friends with cars): the noise next to H3.
    pub family_cars: Vec<(usize, usize)>,
}

const RIVERTON_STREETS: &[&str] = &[
    "Mill Lane",
    "Station Road",
    "Canal Street",
    "Orchard Close",
    "Market Street",
    "Bury Road",
    "Church Lane",
    "Spring Gardens",
    "Albert Road",
    "Victoria Street",
    "Moss Lane",
    "Park View",
    "Queens Road",
    "Oak Avenue",
    "Milton Street",
    "Brook Street",
    "Hollins Lane",
    "Heights Road",
];
const BROOKFIELD_STREETS: &[&str] = &[
    "High Street",
    "Manchester Road",
    "Wellington Street",
    "Cobden Street",
    "Derby Street",
    "Holme Lane",
    "Lime Grove",
    "Rose Hill",
    "Bridge Street",
    "Chapel Street",
    "Kings Road",
    "Grange Avenue",
    "Union Street",
    "Hall Lane",
    "Cross Street",
    "Green Lane",
];
const HALLAM_STREETS: &[&str] = &[
    "Abbey Road",
    "Beech Grove",
    "Castle Street",
    "Dale Road",
    "Elm Street",
    "Fern Close",
    "Garden Street",
    "Hope Street",
    "Ivy Lane",
    "Jubilee Way",
    "Larch Road",
    "Meadow Bank",
    "Nelson Street",
    "Old Road",
];

fn local_authorities() -> Vec<LocalAuthority> {
    let districts = |area: &str, n: usize| (1..=n).map(|i| format!("{area}{i}")).collect();
    vec![
        LocalAuthority {
            code: "E08000901",
            name: "Riverton",
            town: "Riverton",
            police_force: "Riverton and Brookfield Police",
            districts: districts("RV", 6),
            streets: RIVERTON_STREETS,
            tag: "RV",
        },
        LocalAuthority {
            code: "E08000902",
            name: "Brookfield",
            town: "Brookfield",
            police_force: "Riverton and Brookfield Police",
            districts: districts("BK", 5),
            streets: BROOKFIELD_STREETS,
            tag: "BK",
        },
        LocalAuthority {
            code: "E08000903",
            name: "Hallam Vale",
            town: "Hallam",
            police_force: "Hallam Vale Constabulary",
            districts: districts("HV", 4),
            streets: HALLAM_STREETS,
            tag: "HV",
        },
    ]
}

/// Letters allowed in the inward part of a postcode.
const INWARD: &[u8] = b"ABDEFGHJLNPQRSTUWXYZ";

fn new_address(
    world_addresses: &mut Vec<Address>,
    las: &[LocalAuthority],
    la: usize,
    rng: &mut impl Rng,
) -> usize {
    let l = &las[la];
    let district = l.districts.choose(rng).cloned().unwrap_or_default();
    let postcode = format!(
        "{district} {}{}{}",
        rng.random_range(1..=9),
        INWARD[rng.random_range(0..INWARD.len())] as char,
        INWARD[rng.random_range(0..INWARD.len())] as char
    );
    let street = l.streets.choose(rng).copied().unwrap_or("High Street");
    let text = if rng.random_bool(0.15) {
        format!(
            "Flat {}, {} {street}, {}",
            rng.random_range(1..=12),
            rng.random_range(1..=200),
            l.town
        )
    } else {
        format!("{} {street}, {}", rng.random_range(1..=200), l.town)
    };
    world_addresses.push(Address { text, postcode, la });
    world_addresses.len() - 1
}

fn nhs_number(rng: &mut impl Rng) -> String {
    loop {
        let digits: Vec<u32> = (0..9).map(|_| rng.random_range(0..10)).collect();
        let sum: u32 = digits.iter().zip((2..=10).rev()).map(|(d, w)| d * w).sum();
        let check = match 11 - sum % 11 {
            11 => 0,
            10 => continue,
            c => c,
        };
        if digits.iter().all(|&d| d == digits[0]) {
            continue;
        }
        return digits
            .iter()
            .map(|d| char::from(b'0' + *d as u8))
            .collect::<String>()
            + &check.to_string();
    }
}

fn upn(la: usize, rng: &mut impl Rng) -> String {
    const LETTERS: &[u8; 23] = b"ABCDEFGHJKLMNPQRTUVWXYZ";
    let body = format!(
        "{:03}{:09}",
        350 + la,
        rng.random_range(0..1_000_000_000u64)
    );
    let sum: usize = body
        .bytes()
        .zip(2..)
        .map(|(c, w)| usize::from(c - b'0') * w)
        .sum();
    format!("{}{body}", LETTERS[sum % 23] as char)
}

pub fn mobile(rng: &mut impl Rng) -> String {
    format!("07700 9{:05}", rng.random_range(0..100_000))
}

fn registration(rng: &mut impl Rng) -> String {
    const LETTERS: &[u8] = b"ABCDEFGHJKLMNOPRSTUVWXY";
    let l = |rng: &mut _| LETTERS[Rng::random_range(rng, 0..LETTERS.len())] as char;
    let age = [
        51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 2, 3, 4, 5, 6, 7, 8, 9,
    ]
    .choose(rng)
    .copied()
    .unwrap_or(55);
    format!(
        "{}{}{age:02} {}{}{}",
        l(rng),
        l(rng),
        l(rng),
        l(rng),
        l(rng)
    )
}

const MAKES: &[&str] = &[
    "Vauxhall",
    "Ford",
    "Toyota",
    "BMW",
    "Audi",
    "Volkswagen",
    "Skoda",
    "Nissan",
    "Honda",
    "Mercedes",
];
const COLOURS: &[&str] = &["silver", "black", "white", "grey", "blue", "red"];

fn date_between(rng: &mut impl Rng, from: Date, to: Date) -> Date {
    let days = to.since(from).map(|s| s.get_days()).unwrap_or(0).max(1);
    from.checked_add(jiff::Span::new().days(rng.random_range(0..days)))
        .unwrap_or(from)
}

pub struct Params {
    pub children: usize,
    pub start: Date,
    pub end: Date,
    pub networks: usize,
    pub victims_per_network: (usize, usize),
    pub hidden_share: f64,
}

pub fn build(p: &Params, rng: &mut impl Rng) -> World {
    let las = local_authorities();
    let mut w = World {
        las,
        addresses: Vec::new(),
        schools: Vec::new(),
        people: Vec::new(),
        households: Vec::new(),
        places: Vec::new(),
        cars: Vec::new(),
        networks: Vec::new(),
        family_cars: Vec::new(),
    };
    // Population shares of the three authorities.
    let la_weights = [0.5, 0.3, 0.2];
    let pick_la = |rng: &mut dyn rand::RngCore| {
        let x: f64 = rand::Rng::random(rng);
        if x < la_weights[0] {
            0
        } else if x < la_weights[0] + la_weights[1] {
            1
        } else {
            2
        }
    };
    // About one school per 600 children, at least four per authority.
    let per_la = (p.children / 600 / w.las.len()).max(4);
    const KINDS: &[&str] = &[
        "Academy",
        "High School",
        "Community College",
        "Primary School",
        "C of E School",
        "RC High School",
    ];
    for la in 0..w.las.len() {
        for i in 0..per_la {
            let address = new_address(&mut w.addresses, &w.las, la, rng);
            let street = w.addresses[address]
                .text
                .split(',')
                .next()
                .unwrap_or("")
                .to_string();
            let street = street.trim_start_matches(|c: char| {
                c.is_ascii_digit() || c == ' ' || c == 'F' || c == 'l' || c == 'a' || c == 't'
            });
            let name = format!("{} {}", street.trim(), KINDS[i % KINDS.len()]);
            w.schools.push(School { name, la, address });
        }
    }
    let schools_by_la: Vec<Vec<usize>> = (0..w.las.len())
        .map(|la| {
            (0..w.schools.len())
                .filter(|&s| w.schools[s].la == la)
                .collect()
        })
        .collect();

    let mut next_id = 1usize;
    let mut new_id = || {
        let id = format!("P{next_id:06}");
        next_id += 1;
        id
    };
    // Children are born over the 18 years before the end of the period, so
    // the world holds every age from infant to young adult.
    let born_from = Date::new(p.start.year() - 16, 1, 1).unwrap_or(p.start);
    let mut made = 0usize;
    while made < p.children {
        let la = pick_la(rng);
        let tradition = Tradition::pick(rng);
        let family = tradition.family(rng).to_string();
        let hh = w.households.len();
        let first = new_address(&mut w.addresses, &w.las, la, rng);
        let mut addresses = vec![(born_from, first)];
        if rng.random_bool(0.2) {
            // Moves within the period, sometimes to another authority.
            let to_la = if rng.random_bool(0.2) {
                pick_la(rng)
            } else {
                la
            };
            let moved = date_between(rng, p.start, p.end);
            addresses.push((moved, new_address(&mut w.addresses, &w.las, to_la, rng)));
        }
        let mut adults = Vec::new();
        let two_parents = rng.random_bool(0.65);
        let mother_dob = date_between(
            rng,
            Date::new(p.start.year() - 50, 1, 1).unwrap_or(p.start),
            Date::new(p.start.year() - 25, 12, 31).unwrap_or(p.start),
        );
        for (i, female) in [true, false].into_iter().enumerate() {
            if i == 1 && !two_parents {
                break;
            }
            let dob = if female {
                mother_dob
            } else {
                date_between(
                    rng,
                    Date::new(mother_dob.year() - 6, 1, 1).unwrap_or(mother_dob),
                    Date::new(mother_dob.year() + 3, 12, 28).unwrap_or(mother_dob),
                )
            };
            w.people.push(Person {
                id: new_id(),
                given: tradition.given(female, rng),
                middle: rng
                    .random_bool(0.3)
                    .then(|| crate::names::middle(tradition, female, rng)),
                family: family.clone(),
                female,
                dob,
                tradition,
                child: false,
                household: Some(hh),
                nhs: nhs_number(rng),
                upn: None,
                phone: Some(mobile(rng)),
                alias: None,
                school: None,
                name_change: None,
                send: false,
                looked_after: false,
                friends: Vec::new(),
            });
            adults.push(w.people.len() - 1);
        }
        let n_children = *[1, 1, 2, 2, 2, 3, 3, 4].choose(rng).unwrap_or(&2);
        let mut children = Vec::new();
        let first_born = date_between(
            rng,
            born_from,
            p.end
                .checked_sub(jiff::Span::new().years(1))
                .unwrap_or(p.end),
        );
        let mut dob = first_born;
        let twins = rng.random_bool(0.03);
        for c in 0..n_children {
            if c > 0 && !(twins && c == 1) {
                dob = dob
                    .checked_sub(jiff::Span::new().days(rng.random_range(400..2200)))
                    .unwrap_or(dob);
            }
            let female = rng.random_bool(0.5);
            // A son named after his father (parent and child sharing a name).
            let junior = !female && c == 0 && adults.len() > 1 && rng.random_bool(0.08);
            let given = if junior {
                w.people[adults[1]].given
            } else {
                tradition.given(female, rng)
            };
            // Some children carry the other parent's family name, or both.
            let family = match rng.random_range(0..20) {
                0 | 1 => tradition.family(rng).to_string(),
                2 => format!("{family}-{}", tradition.family(rng)),
                _ => family.clone(),
            };
            let name_change = rng.random_bool(0.03).then(|| {
                (
                    date_between(rng, p.start, p.end),
                    tradition.family(rng).to_string(),
                )
            });
            let school = schools_by_la[la].choose(rng).copied();
            w.people.push(Person {
                id: new_id(),
                given,
                middle: rng
                    .random_bool(0.4)
                    .then(|| crate::names::middle(tradition, female, rng)),
                family,
                female,
                dob,
                tradition,
                child: true,
                household: Some(hh),
                nhs: nhs_number(rng),
                upn: Some(upn(la, rng)),
                phone: None,
                alias: None,
                school,
                name_change,
                send: rng.random_bool(0.08),
                looked_after: rng.random_bool(0.01),
                friends: Vec::new(),
            });
            children.push(w.people.len() - 1);
            made += 1;
        }
        for &c in &children {
            // Teenagers have phones.
            if w.people[c].age_on(p.start) >= 11 || rng.random_bool(0.5) {
                w.people[c].phone = Some(mobile(rng));
            }
        }
        w.households.push(Household {
            la,
            addresses,
            adults,
            children,
            domestic_abuse: rng.random_bool(0.05),
        });
    }

    // Friendships: children at the same school born within a year.
    let kids: Vec<usize> = (0..w.people.len()).filter(|&i| w.people[i].child).collect();
    let mut cohorts: std::collections::HashMap<(usize, i16), Vec<usize>> =
        std::collections::HashMap::new();
    for &k in &kids {
        if let Some(s) = w.people[k].school {
            cohorts
                .entry((s, w.people[k].dob.year()))
                .or_default()
                .push(k);
        }
    }
    for &k in &kids {
        let Some(s) = w.people[k].school else {
            continue;
        };
        let year = w.people[k].dob.year();
        let n = rng.random_range(1..=4);
        for _ in 0..n {
            let y = year + rng.random_range(-1..=1);
            if let Some(friend) = cohorts.get(&(s, y)).and_then(|c| c.choose(rng)).copied()
                && friend != k
                && !w.people[k].friends.contains(&friend)
            {
                w.people[k].friends.push(friend);
            }
        }
    }

    // Legitimate adults with cars who give children lifts.
    for hh in &w.households {
        if let Some(&adult) = hh.adults.first()
            && rng.random_bool(0.3)
        {
            w.cars.push(Car {
                id: format!("V{:05}", w.cars.len() + 1),
                registration: registration(rng),
                make: MAKES.choose(rng).copied().unwrap_or("Ford"),
                colour: COLOURS.choose(rng).copied().unwrap_or("silver"),
            });
            w.family_cars.push((adult, w.cars.len() - 1));
        }
    }

    // Exploitation networks.
    let venue_kinds: &[(&str, &[&str])] = &[
        (
            "takeaway",
            &[
                "Kebab House",
                "Pizza Express Delivery",
                "Spice Corner",
                "Chicken Hut",
                "Golden Dragon",
            ],
        ),
        (
            "flat",
            &[
                "the flat above the shop",
                "the flat on the estate",
                "the bedsit",
            ],
        ),
        (
            "hotel",
            &[
                "Travel Inn",
                "Station Hotel",
                "Riverside Lodge",
                "Crown Hotel",
            ],
        ),
        (
            "taxi_rank",
            &[
                "Star Cars",
                "A1 Taxis",
                "Speedline Private Hire",
                "Town Cars",
            ],
        ),
        ("park", &["the park", "the recreation ground"]),
    ];
    for n in 0..p.networks {
        let la = pick_la(rng);
        let mut adults = Vec::new();
        let size = rng.random_range(3..=7);
        for _ in 0..size {
            let tradition = Tradition::pick(rng);
            let dob = date_between(
                rng,
                Date::new(p.start.year() - 45, 1, 1).unwrap_or(p.start),
                Date::new(p.start.year() - 19, 1, 1).unwrap_or(p.start),
            );
            let address = new_address(&mut w.addresses, &w.las, la, rng);
            let hh = w.households.len();
            w.households.push(Household {
                la,
                addresses: vec![(born_from, address)],
                adults: vec![w.people.len()],
                children: vec![],
                domestic_abuse: false,
            });
            w.people.push(Person {
                id: new_id(),
                given: tradition.given(false, rng),
                middle: None,
                family: tradition.family(rng).to_string(),
                female: false,
                dob,
                tradition,
                child: false,
                household: Some(hh),
                nhs: nhs_number(rng),
                upn: None,
                phone: Some(mobile(rng)),
                alias: STREET_NAMES.choose(rng).copied(),
                school: None,
                name_change: None,
                send: false,
                looked_after: false,
                friends: Vec::new(),
            });
            adults.push(w.people.len() - 1);
        }
        let mut venues = Vec::new();
        for _ in 0..rng.random_range(1..=3) {
            let (category, names) = venue_kinds
                .choose(rng)
                .copied()
                .unwrap_or(("flat", &["the flat"]));
            let address = new_address(&mut w.addresses, &w.las, la, rng);
            w.places.push(Place {
                id: format!("L{:05}", w.places.len() + 1),
                name: names.choose(rng).copied().unwrap_or("the flat").to_string(),
                category,
                address,
            });
            venues.push(w.places.len() - 1);
        }
        let mut cars = Vec::new();
        for _ in 0..rng.random_range(1..=3) {
            w.cars.push(Car {
                id: format!("V{:05}", w.cars.len() + 1),
                registration: registration(rng),
                make: MAKES.choose(rng).copied().unwrap_or("Vauxhall"),
                colour: COLOURS.choose(rng).copied().unwrap_or("silver"),
            });
            cars.push(w.cars.len() - 1);
        }
        let phones = (0..rng.random_range(2..=5)).map(|_| mobile(rng)).collect();

        // Victims: a first child, then friends of victims, over months.
        let target = rng.random_range(p.victims_per_network.0..=p.victims_per_network.1);
        let mut victims: Vec<Victim> = Vec::new();
        let span_days = p
            .end
            .since(p.start)
            .map(|s| s.get_days())
            .unwrap_or(365)
            .max(60);
        let first_start = p
            .start
            .checked_add(jiff::Span::new().days(rng.random_range(0..(span_days * 2 / 3))))
            .unwrap_or(p.start);
        let eligible = |w: &World, i: usize, on: Date| {
            let person = &w.people[i];
            let age = person.age_on(on);
            person.child
                && (11..=16).contains(&age)
                && w.households[person.household.unwrap_or(0)].la == la
        };
        let taken = |w: &World, i: usize| {
            w.networks
                .iter()
                .any(|n| n.victims.iter().any(|v| v.person == i))
        };
        let mut pool: Vec<usize> = kids
            .iter()
            .copied()
            .filter(|&k| eligible(&w, k, first_start) && !taken(&w, k))
            .collect();
        pool.retain(|&k| w.people[k].female || rng.random_bool(0.15));
        if let Some(&first) = pool.choose(rng) {
            victims.push(Victim {
                person: first,
                start: first_start,
                hidden_until: None,
            });
            let mut attempts = 0;
            while victims.len() < target && attempts < 200 {
                attempts += 1;
                let recruiter = &victims[rng.random_range(0..victims.len())];
                let start = recruiter
                    .start
                    .checked_add(jiff::Span::new().days(rng.random_range(20..150)))
                    .unwrap_or(recruiter.start);
                if start >= p.end {
                    continue;
                }
                let friends = w.people[recruiter.person].friends.clone();
                let candidate = if rng.random_bool(0.75) {
                    friends.choose(rng).copied()
                } else {
                    pool.choose(rng).copied()
                };
                let Some(c) = candidate else { continue };
                if victims.iter().any(|v| v.person == c) || taken(&w, c) || !eligible(&w, c, start)
                {
                    continue;
                }
                let hidden_until = rng.random_bool(p.hidden_share).then(|| {
                    let days = p
                        .end
                        .since(start)
                        .map(|s| s.get_days())
                        .unwrap_or(60)
                        .max(2);
                    start
                        .checked_add(jiff::Span::new().days(days * 7 / 10))
                        .unwrap_or(p.end)
                });
                victims.push(Victim {
                    person: c,
                    start,
                    hidden_until,
                });
            }
        }
        w.networks.push(Network {
            id: format!("N{:03}", n + 1),
            adults,
            venues,
            cars,
            phones,
            victims,
            la,
        });
    }
    w
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn identifiers_are_valid() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        for _ in 0..200 {
            assert!(sightline_normalise::normalise_nhs_number(&nhs_number(&mut rng)).is_ok());
            assert!(sightline_normalise::normalise_upn(&upn(1, &mut rng)).is_ok());
            assert!(sightline_normalise::normalise_registration(&registration(&mut rng)).is_ok());
            assert!(sightline_normalise::normalise_phone(&mobile(&mut rng)).is_ok());
        }
        let mut addresses = Vec::new();
        let las = local_authorities();
        for la in 0..las.len() {
            let a = new_address(&mut addresses, &las, la, &mut rng);
            assert!(
                sightline_normalise::normalise_postcode(&addresses[a].postcode).is_ok(),
                "{}",
                addresses[a].postcode
            );
        }
    }
}
