//! What to tell whom when a concern moves: routed to a team (and the teams
//! told of an out-of-area placement), put in the unrouted queue, escalated.
//! Each message has an idempotency key derived from the event, the same on
//! every retry and every rebuild, so the outbox adds it once and a receiver
//! can discard repeats. Webhook bodies are signed (HMAC-SHA256).

use hmac::{Hmac, Mac};
use jiff::{SignedDuration, Timestamp};
use serde_json::json;
use sha2::Sha256;

use crate::directory::Directory;
use crate::workflow::{Status, Workflow};

/// One message to one receiver.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub idempotency_key: String,
    /// `email` or `webhook`.
    pub channel: &'static str,
    pub target: String,
    pub subject: String,
    pub body: String,
}

/// What the messages say about the concern.
pub struct About<'a> {
    pub concern_id: &'a str,
    pub person_id: &'a str,
    pub name: &'a str,
    pub band: &'a str,
}

fn receivers(
    directory: &Directory,
    team: Option<&str>,
    person: Option<&str>,
) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    if let Some(mail) = person.and_then(|p| directory.contacts.get(p)) {
        out.push(("email", mail.clone()));
    }
    if let Some(t) = team.and_then(|t| directory.team(t)) {
        if let Some(mail) = &t.email
            && !out.iter().any(|(_, m)| m == mail)
        {
            out.push(("email", mail.clone()));
        }
        if let Some(hook) = &t.webhook {
            out.push(("webhook", hook.clone()));
        }
    }
    out
}

fn fan_out(
    directory: &Directory,
    team: Option<&str>,
    person: Option<&str>,
    key: String,
    subject: String,
    payload: serde_json::Value,
    text: String,
) -> Vec<Message> {
    receivers(directory, team, person)
        .into_iter()
        .map(|(channel, target)| Message {
            idempotency_key: format!("{key}/{channel}/{target}"),
            channel,
            body: if channel == "webhook" {
                let mut p = payload.clone();
                p["idempotency_key"] = json!(format!("{key}/{channel}/{target}"));
                p.to_string()
            } else {
                text.clone()
            },
            target,
            subject: subject.clone(),
        })
        .collect()
}

/// Every message a concern's workflow calls for so far.
pub fn messages(about: &About, w: &Workflow, directory: &Directory) -> Vec<Message> {
    let mut out = Vec::new();
    let base = json!({
        "concern_id": about.concern_id, "person_id": about.person_id,
        "band": about.band, "status": w.status.as_str(), "team": w.team,
    });
    let Some(received) = w.received_at else {
        return out;
    };
    let stamp = received.to_string();
    match (w.status, &w.team) {
        (Status::Unrouted, _) => {
            let key = format!("{}/unrouted/{stamp}", about.concern_id);
            for admin in &directory.administrators {
                let mut payload = base.clone();
                payload["event"] = json!("unrouted");
                out.extend(fan_out(
                    directory,
                    None,
                    Some(admin),
                    format!("{key}/{admin}"),
                    format!("Unrouted concern {} ({})", about.concern_id, about.band),
                    payload,
                    format!(
                        "A concern about {} ({}) matched no route and is in the unrouted queue. Route it: sightline concern reassign {} --team TEAM --reason ...",
                        about.name, about.person_id, about.concern_id
                    ),
                ));
            }
        }
        (_, Some(team)) => {
            let mut payload = base.clone();
            payload["event"] = json!("routed");
            out.extend(fan_out(
                directory,
                Some(team),
                None,
                format!("{}/routed/{team}/{stamp}", about.concern_id),
                format!("New concern {} for {team} ({})", about.concern_id, about.band),
                payload,
                format!(
                    "A {} concern about {} ({}) is with your team. Acknowledge it within one working day: sightline concern show {}",
                    about.band, about.name, about.person_id, about.concern_id
                ),
            ));
            for other in &w.notify {
                let mut payload = base.clone();
                payload["event"] = json!("placed_in_your_area");
                out.extend(fan_out(
                    directory,
                    Some(other),
                    None,
                    format!("{}/notify/{other}/{stamp}", about.concern_id),
                    format!(
                        "Concern {} about a child placed in your area",
                        about.concern_id
                    ),
                    payload,
                    format!(
                        "{} ({}) is placed in your area; {team} is responsible for the concern {}.",
                        about.name, about.person_id, about.concern_id
                    ),
                ));
            }
        }
        _ => {}
    }
    for (other, at) in &w.told_of_move {
        let mut payload = base.clone();
        payload["event"] = json!("moved_to_your_area");
        out.extend(fan_out(
            directory,
            Some(other),
            None,
            format!("{}/moved/{other}/{at}", about.concern_id),
            format!("Concern {} about a child now in your area", about.concern_id),
            payload,
            format!(
                "The records put {} ({}) in your area now; {} decided the concern {} and keeps it. See: sightline concern show {}",
                about.name,
                about.person_id,
                w.team.as_deref().unwrap_or("the unrouted queue"),
                about.concern_id,
                about.concern_id
            ),
        ));
    }
    for e in &w.escalations {
        let mut payload = base.clone();
        payload["event"] = json!("escalated");
        payload["escalation"] = json!({"clock": e.clock.as_str(), "level": e.level, "to": e.to, "at": e.at.to_string()});
        out.extend(fan_out(
            directory,
            w.team.as_deref(),
            Some(&e.to),
            format!(
                "{}/escalated/{}/{}/{}",
                about.concern_id,
                e.clock.as_str(),
                e.level,
                e.since
            ),
            format!(
                "Overdue: {} of concern {} (escalation level {})",
                e.clock.as_str(),
                about.concern_id,
                e.level
            ),
            payload,
            format!(
                "For {}: the concern {} about {} ({}) was due to be {} by {} and is not. See: sightline concern show {}",
                e.to,
                about.concern_id,
                about.name,
                about.person_id,
                match e.clock {
                    crate::workflow::ClockKind::Route => "routed",
                    crate::workflow::ClockKind::Acknowledge => "acknowledged",
                    crate::workflow::ClockKind::Decide => "decided",
                    crate::workflow::ClockKind::ReturnInterview => "seen for a return home interview",
                    crate::workflow::ClockKind::StrategyDiscussion => "discussed at a strategy discussion",
                    crate::workflow::ClockKind::S47Assessment => {
                        "assessed under its section 47 enquiry"
                    }
                    crate::workflow::ClockKind::InitialConference => {
                        "heard at an initial child protection conference"
                    }
                },
                e.at,
                about.concern_id
            ),
        ));
    }
    out
}

/// When to try again after `attempts` failed: 30 s, doubling, at most an
/// hour.
pub fn next_attempt(at: Timestamp, attempts: u32) -> Timestamp {
    let seconds = (30i64 << attempts.min(7)).min(3600);
    at.checked_add(SignedDuration::from_secs(seconds))
        .unwrap_or(at)
}

/// The signature header value of a webhook body: `t=UNIX,v1=HEX` where
/// HEX is HMAC-SHA256 over `UNIX.BODY` with the shared secret (the scheme
/// Stripe and others use; the time stops replays).
pub fn sign(secret: &[u8], at: Timestamp, body: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes a key of any length");
    mac.update(format!("{}.{body}", at.as_second()).as_bytes());
    format!(
        "t={},v1={}",
        at.as_second(),
        hex::encode(mac.finalize().into_bytes())
    )
}

/// Checks a signature header (for receivers, and the tests).
pub fn verify(secret: &[u8], header: &str, body: &str) -> bool {
    let mut t = None;
    let mut v1 = None;
    for part in header.split(',') {
        match part.split_once('=') {
            Some(("t", x)) => t = x.parse::<i64>().ok(),
            Some(("v1", x)) => v1 = hex::decode(x).ok(),
            _ => {}
        }
    }
    let (Some(t), Some(v1)) = (t, v1) else {
        return false;
    };
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes a key of any length");
    mac.update(format!("{t}.{body}").as_bytes());
    mac.verify_slice(&v1).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::routing::{RouteBasis, RouteOutcome};
    use crate::workflow::{ClockKind, Escalation};

    const TEAMS: &str = r#"
format = 1
version = "1"
partnership_lead = "lead"
administrators = ["admin"]
contacts = { admin = "admin@example.org", mgr = "mgr@example.org" }
[[teams]]
id = "north"
name = "North"
agency = "social_care"
manager = "mgr"
members = ["sw1"]
email = "north@example.org"
webhook = "http://127.0.0.1:9/hook"
"#;

    fn about() -> About<'static> {
        About {
            concern_id: "C-1",
            person_id: "P-1",
            name: "Kay",
            band: "moderate",
        }
    }

    #[test]
    fn a_routed_concern_tells_the_team_on_every_channel_once() {
        let d = Directory::parse(TEAMS, "t.toml").unwrap();
        let at: Timestamp = "2024-01-15T10:00:00Z".parse().unwrap();
        let route = RouteOutcome {
            team: Some("north".into()),
            notify: vec![],
            reason: "x".into(),
            basis: RouteBasis::Residence,
        };
        let mut w = Workflow::raised(at, Some(&route));
        let m = messages(&about(), &w, &d);
        assert_eq!(m.len(), 2);
        assert_eq!(m[0].channel, "email");
        assert_eq!(m[1].channel, "webhook");
        assert!(m[1].body.contains("\"idempotency_key\""));
        // The same state gives the same keys; an escalation adds messages
        // with keys of their own.
        assert_eq!(messages(&about(), &w, &d), m);
        w.escalated(Escalation {
            clock: ClockKind::Acknowledge,
            level: 1,
            to: "mgr".into(),
            at,
            since: at,
        });
        let more = messages(&about(), &w, &d);
        assert_eq!(more.len(), 5, "{more:#?}");
        assert!(more.iter().any(|x| x.target == "mgr@example.org"));
    }

    #[test]
    fn unrouted_concerns_go_to_the_administrators() {
        let d = Directory::parse(TEAMS, "t.toml").unwrap();
        let at: Timestamp = "2024-01-15T10:00:00Z".parse().unwrap();
        let none = RouteOutcome {
            team: None,
            notify: vec![],
            reason: "x".into(),
            basis: RouteBasis::Nothing,
        };
        let w = Workflow::raised(at, Some(&none));
        let m = messages(&about(), &w, &d);
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].target, "admin@example.org");
    }

    #[test]
    fn signatures_verify_and_tampering_fails() {
        let at: Timestamp = "2024-01-15T10:00:00Z".parse().unwrap();
        let h = sign(b"secret", at, "{\"a\":1}");
        assert!(verify(b"secret", &h, "{\"a\":1}"));
        assert!(!verify(b"secret", &h, "{\"a\":2}"));
        assert!(!verify(b"other", &h, "{\"a\":1}"));
    }

    #[test]
    fn retries_back_off_to_an_hour() {
        let at: Timestamp = "2024-01-15T10:00:00Z".parse().unwrap();
        assert_eq!(next_attempt(at, 0).as_second() - at.as_second(), 30);
        assert_eq!(next_attempt(at, 3).as_second() - at.as_second(), 240);
        assert_eq!(next_attempt(at, 20).as_second() - at.as_second(), 3600);
    }
}
