//! The team directory: each team with its agency, area, members, manager and
//! escalation chain up to the partnership lead. A TOML file, validated with
//! every problem named, and versioned: the version is recorded with every
//! routing decision.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

pub const FORMAT: u32 = 1;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Directory {
    pub format: u32,
    /// The directory's version, e.g. the date it was issued.
    pub version: String,
    /// Top of every escalation chain.
    pub partnership_lead: String,
    /// Who looks after the unrouted queue.
    pub administrators: Vec<String>,
    /// E-mail addresses of people (managers, the chain, administrators),
    /// for escalations addressed to them.
    #[serde(default)]
    pub contacts: std::collections::BTreeMap<String, String>,
    pub teams: Vec<Team>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Team {
    /// Short id: lower-case letters, digits and `-`.
    pub id: String,
    pub name: String,
    /// `social_care`, `police`, ... (the report format's agencies).
    pub agency: String,
    /// Local authority code (`E08000901`), when the team has one.
    #[serde(default)]
    pub local_authority: Option<String>,
    pub manager: String,
    pub members: Vec<String>,
    /// People above the manager, in order; the partnership lead closes every
    /// chain (added when the file leaves it out).
    #[serde(default)]
    pub escalation: Vec<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub webhook: Option<String>,
}

/// Every problem found in a file, each naming where.
#[derive(Debug, thiserror::Error)]
#[error("{}", .problems.join("\n"))]
pub struct DirectoryError {
    pub problems: Vec<String>,
}

impl Directory {
    pub fn parse(text: &str, file: &str) -> Result<Directory, DirectoryError> {
        let dir: Directory = toml::from_str(text).map_err(|e| DirectoryError {
            problems: vec![format!("{file}: {e}")],
        })?;
        let mut problems = Vec::new();
        let mut p = |where_: &str, what: String| problems.push(format!("{file}: {where_}: {what}"));
        if dir.format != FORMAT {
            p(
                "format",
                format!("{} is not a format this build reads ({FORMAT})", dir.format),
            );
        }
        if dir.version.trim().is_empty() {
            p("version", "must not be empty".into());
        }
        if dir.partnership_lead.trim().is_empty() {
            p("partnership_lead", "must name a person".into());
        }
        if dir.administrators.iter().all(|a| a.trim().is_empty()) {
            p(
                "administrators",
                "name at least one (they receive the unrouted queue)".into(),
            );
        }
        for (person, mail) in &dir.contacts {
            if !mail.contains('@') {
                p(
                    &format!("contacts.{person}"),
                    format!("`{mail}` is not an e-mail address"),
                );
            }
        }
        if dir.teams.is_empty() {
            p("teams", "none: a directory needs at least one team".into());
        }
        let mut ids = BTreeSet::new();
        for (i, t) in dir.teams.iter().enumerate() {
            let at = format!("teams[{i}] ({})", t.id);
            if t.id.is_empty()
                || !t
                    .id
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            {
                p(&at, "id: use lower-case letters, digits and `-`".into());
            }
            if !ids.insert(t.id.as_str()) {
                p(&at, "id is used by another team".into());
            }
            if t.name.trim().is_empty() {
                p(&at, "name must not be empty".into());
            }
            if sightline_model::Agency::parse(&t.agency).is_none() {
                p(
                    &at,
                    format!(
                        "agency `{}` is not one of the report format's agencies",
                        t.agency
                    ),
                );
            }
            if t.manager.trim().is_empty() {
                p(&at, "manager must name a person".into());
            }
            if t.members.iter().all(|m| m.trim().is_empty()) {
                p(&at, "members: name at least one".into());
            }
            let mut chain = BTreeSet::new();
            for person in std::iter::once(&t.manager).chain(&t.escalation) {
                if !chain.insert(person.as_str()) {
                    p(
                        &at,
                        format!("escalation: {person} appears twice in the chain"),
                    );
                }
            }
            if let Some(url) = &t.webhook
                && !(url.starts_with("https://") || url.starts_with("http://"))
            {
                p(&at, format!("webhook `{url}` is not an http(s) address"));
            }
            if let Some(mail) = &t.email
                && !mail.contains('@')
            {
                p(&at, format!("email `{mail}` is not an address"));
            }
        }
        if problems.is_empty() {
            Ok(dir)
        } else {
            Err(DirectoryError { problems })
        }
    }

    pub fn team(&self, id: &str) -> Option<&Team> {
        self.teams.iter().find(|t| t.id == id)
    }

    /// The escalation chain of a team: manager, those above, the
    /// partnership lead.
    pub fn chain(&self, team: &Team) -> Vec<String> {
        let mut chain = vec![team.manager.clone()];
        chain.extend(team.escalation.iter().cloned());
        if chain.last() != Some(&self.partnership_lead) {
            chain.push(self.partnership_lead.clone());
        }
        chain
    }

    /// Whether a person may act on a team's concerns: its members, its
    /// manager and chain, and the administrators.
    pub fn may_act(&self, team: Option<&str>, person: &str) -> bool {
        if self.administrators.iter().any(|a| a == person) {
            return true;
        }
        match team.and_then(|t| self.team(t)) {
            Some(t) => {
                t.members.iter().any(|m| m == person) || self.chain(t).iter().any(|c| c == person)
            }
            None => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
format = 1
version = "2026-11-29"
partnership_lead = "lead"
administrators = ["admin"]

[[teams]]
id = "rv-north"
name = "Riverton North"
agency = "social_care"
local_authority = "E08000901"
manager = "mgr"
members = ["sw1", "sw2"]
escalation = ["head"]
"#;

    #[test]
    fn a_good_directory_loads_and_chains_end_at_the_lead() {
        let d = Directory::parse(GOOD, "teams.toml").unwrap();
        let t = d.team("rv-north").unwrap();
        assert_eq!(d.chain(t), ["mgr", "head", "lead"]);
        assert!(d.may_act(Some("rv-north"), "sw1"));
        assert!(d.may_act(Some("rv-north"), "head"));
        assert!(d.may_act(None, "admin"));
        assert!(!d.may_act(Some("rv-north"), "stranger"));
    }

    #[test]
    fn every_problem_is_named_with_the_file_and_team() {
        let bad = GOOD
            .replace("agency = \"social_care\"", "agency = \"Social Care\"")
            .replace("members = [\"sw1\", \"sw2\"]", "members = []")
            .replace("escalation = [\"head\"]", "escalation = [\"mgr\"]");
        let err = Directory::parse(&bad, "teams.toml").unwrap_err();
        assert_eq!(err.problems.len(), 3, "{err}");
        assert!(
            err.problems
                .iter()
                .all(|p| p.starts_with("teams.toml: teams[0] (rv-north)"))
        );
        let err = Directory::parse("format = 1", "x.toml").unwrap_err();
        assert!(err.to_string().starts_with("x.toml: "), "{err}");
    }
}
