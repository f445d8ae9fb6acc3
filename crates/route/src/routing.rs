//! The routing table: from the child's home (or placement) postcode
//! district, or its local authority through the postcode-district table the
//! project ships, or the child's school, and the concern's type, to a team.
//! An out-of-area placement also notifies the placing area's team. No match
//! is an outcome too: the concern goes to the unrouted queue.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::directory::Directory;

pub const FORMAT: u32 = 1;

/// The shipped postcode-district table (`district,local_authority,name`).
pub const DISTRICTS: &str = include_str!("../data/postcode-districts.csv");

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoutingTable {
    pub format: u32,
    pub version: String,
    pub routes: Vec<Route>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Route {
    pub team: String,
    /// Postcode districts (`RV1`): the most specific match.
    #[serde(default)]
    pub districts: Vec<String>,
    /// Local authority codes (`E08000901`), matched through the district
    /// table.
    #[serde(default)]
    pub local_authorities: Vec<String>,
    /// School names, as agencies record them (case and spacing ignored).
    #[serde(default)]
    pub schools: Vec<String>,
    /// Concern types this route takes; empty for every type.
    #[serde(default)]
    pub concern_types: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
#[error("{}", .problems.join("\n"))]
pub struct RoutingError {
    pub problems: Vec<String>,
}

/// Where a child lives and goes to school, as the records say, and where
/// they were last seen.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ChildPlace {
    pub home_postcode: Option<String>,
    pub placement_postcode: Option<String>,
    pub school: Option<String>,
    /// The postcode of a place where the records saw the child (a hotel,
    /// a flat, where they were found): the area responsible for a child no
    /// record gives a home, placement or school.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seen_postcode: Option<String>,
}

/// What routing decided, and why, in plain words.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RouteOutcome {
    pub team: Option<String>,
    /// Other teams told (an out-of-area placement's host area).
    pub notify: Vec<String>,
    pub reason: String,
    /// What the route rests on: a concern follows the child to a new home,
    /// but not from one place the child was seen to the next.
    pub basis: RouteBasis,
}

/// What a route rests on, weakest first.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RouteBasis {
    /// Nothing known of where the child lives, learns or was seen.
    #[default]
    Nothing,
    /// Where the child was seen.
    Seen,
    /// The child's school.
    School,
    /// The child's home or placement (known even when no route covers it).
    Residence,
}

/// The outward code of a postcode: its district.
pub fn district_of(postcode: &str) -> Option<String> {
    let compact: String = postcode
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_uppercase();
    if compact.len() < 5 || compact.len() > 7 {
        return None;
    }
    Some(compact[..compact.len() - 3].to_string())
}

fn school_key(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

pub struct Router {
    table: RoutingTable,
    la_of_district: BTreeMap<String, String>,
}

impl Router {
    pub fn parse(
        text: &str,
        file: &str,
        directory: &Directory,
        districts: Option<(&str, &str)>,
    ) -> Result<Router, RoutingError> {
        let table: RoutingTable = toml::from_str(text).map_err(|e| RoutingError {
            problems: vec![format!("{file}: {e}")],
        })?;
        let mut problems = Vec::new();
        if table.format != FORMAT {
            problems.push(format!(
                "{file}: format {} is not one this build reads ({FORMAT})",
                table.format
            ));
        }
        if table.version.trim().is_empty() {
            problems.push(format!("{file}: version must not be empty"));
        }
        let mut la_of_district = BTreeMap::new();
        for (name, text) in [
            Some(("postcode-districts.csv", DISTRICTS)),
            districts.map(|(t, f)| (f, t)),
        ]
        .into_iter()
        .flatten()
        {
            let mut reader = csv::Reader::from_reader(text.as_bytes());
            for (i, row) in reader.records().enumerate() {
                match row {
                    Ok(r) => {
                        let (Some(d), Some(la)) = (r.get(0), r.get(1)) else {
                            problems.push(format!(
                                "{name}, line {}: need district,local_authority",
                                i + 2
                            ));
                            continue;
                        };
                        la_of_district.insert(d.trim().to_uppercase(), la.trim().to_string());
                    }
                    Err(e) => problems.push(format!("{name}, line {}: {e}", i + 2)),
                }
            }
        }
        for (i, r) in table.routes.iter().enumerate() {
            let at = format!("{file}: routes[{i}] ({})", r.team);
            if directory.team(&r.team).is_none() {
                problems.push(format!("{at}: no team `{}` in the directory", r.team));
            }
            if r.districts.is_empty() && r.local_authorities.is_empty() && r.schools.is_empty() {
                problems.push(format!(
                    "{at}: give districts, local_authorities or schools"
                ));
            }
            for d in &r.districts {
                if d.trim().is_empty() || d.contains(' ') {
                    problems.push(format!("{at}: `{d}` is not a postcode district (e.g. RV1)"));
                }
            }
            for la in &r.local_authorities {
                if !la_of_district.values().any(|v| v == la) {
                    problems.push(format!(
                        "{at}: local authority `{la}` has no district in the postcode-district table"
                    ));
                }
            }
        }
        if !problems.is_empty() {
            return Err(RoutingError { problems });
        }
        Ok(Router {
            table,
            la_of_district,
        })
    }

    pub fn version(&self) -> &str {
        &self.table.version
    }

    /// Places no route covers that the district table knows, for
    /// `routes check`: gaps mean concerns in the unrouted queue.
    pub fn uncovered_districts(&self, concern_type: &str) -> Vec<String> {
        self.la_of_district
            .keys()
            .filter(|d| {
                self.by_postcode(&format!("{d} 1AA"), concern_type)
                    .is_none()
            })
            .cloned()
            .collect()
    }

    fn takes(route: &Route, concern_type: &str) -> bool {
        route.concern_types.is_empty() || route.concern_types.iter().any(|t| t == concern_type)
    }

    /// The team for a postcode, and how it matched.
    fn by_postcode(&self, postcode: &str, concern_type: &str) -> Option<(String, String)> {
        let district = district_of(postcode)?;
        let routes = || {
            self.table
                .routes
                .iter()
                .filter(|r| Self::takes(r, concern_type))
        };
        if let Some(r) = routes().find(|r| {
            r.districts
                .iter()
                .any(|d| d.eq_ignore_ascii_case(&district))
        }) {
            return Some((r.team.clone(), format!("postcode district {district}")));
        }
        let la = self.la_of_district.get(&district)?;
        routes()
            .find(|r| r.local_authorities.iter().any(|l| l == la))
            .map(|r| {
                (
                    r.team.clone(),
                    format!("local authority {la} (district {district})"),
                )
            })
    }

    fn la_of(&self, postcode: &str) -> Option<&String> {
        self.la_of_district.get(&district_of(postcode)?)
    }

    /// A child no record gives a home, placement or school for is the
    /// responsibility of the area where they were found; their school
    /// decides first when it is known (see [`Router::route`]).
    fn by_place_seen(&self, place: &ChildPlace, concern_type: &str) -> Option<RouteOutcome> {
        if place.school.is_some()
            || place.home_postcode.is_some()
            || place.placement_postcode.is_some()
        {
            return None;
        }
        let (team, why) = self.by_postcode(place.seen_postcode.as_deref()?, concern_type)?;
        Some(RouteOutcome {
            team: Some(team),
            notify: Vec::new(),
            reason: format!(
                "where the child was last seen, {why} (no home, placement or school known)"
            ),
            basis: RouteBasis::Seen,
        })
    }

    /// Routes one concern.
    pub fn route(&self, place: &ChildPlace, concern_type: &str) -> RouteOutcome {
        let home = place
            .home_postcode
            .as_deref()
            .and_then(|p| self.by_postcode(p, concern_type));
        let placed = place
            .placement_postcode
            .as_deref()
            .and_then(|p| self.by_postcode(p, concern_type));
        match (home, placed) {
            (Some((team, why)), placed) => {
                let mut notify = Vec::new();
                let mut reason = format!("home address in {why}");
                if let (Some((other, where_)), Some(h), Some(p)) = (
                    placed,
                    place.home_postcode.as_deref().and_then(|p| self.la_of(p)),
                    place
                        .placement_postcode
                        .as_deref()
                        .and_then(|p| self.la_of(p)),
                ) && h != p
                    && other != team
                {
                    reason.push_str(&format!(
                        "; placed out of area in {where_}, whose team is told"
                    ));
                    notify.push(other);
                }
                RouteOutcome {
                    team: Some(team),
                    notify,
                    reason,
                    basis: RouteBasis::Residence,
                }
            }
            (None, Some((team, why))) => RouteOutcome {
                team: Some(team),
                notify: Vec::new(),
                reason: format!("placement in {why} (no home address routes)"),
                basis: RouteBasis::Residence,
            },
            (None, None) => {
                if let Some(outcome) = self.by_place_seen(place, concern_type) {
                    return outcome;
                }
                if let Some(school) = &place.school {
                    let key = school_key(school);
                    if let Some(r) = self.table.routes.iter().find(|r| {
                        Self::takes(r, concern_type)
                            && r.schools.iter().any(|s| school_key(s) == key)
                    }) {
                        return RouteOutcome {
                            team: Some(r.team.clone()),
                            notify: Vec::new(),
                            reason: format!("school {school} (no address routes)"),
                            basis: RouteBasis::School,
                        };
                    }
                }
                RouteOutcome {
                    team: None,
                    notify: Vec::new(),
                    basis: if place.home_postcode.is_some() || place.placement_postcode.is_some() {
                        RouteBasis::Residence
                    } else if place.school.is_some() {
                        RouteBasis::School
                    } else {
                        RouteBasis::Nothing
                    },
                    reason: match (
                        &place.home_postcode,
                        &place.placement_postcode,
                        &place.school,
                    ) {
                        (None, None, None) => {
                            "no home, placement or school known for the child".into()
                        }
                        _ => format!(
                            "no route for {}",
                            [
                                place.home_postcode.as_deref().map(|p| format!("home {p}")),
                                place
                                    .placement_postcode
                                    .as_deref()
                                    .map(|p| format!("placement {p}")),
                                place.school.as_deref().map(|s| format!("school {s}")),
                            ]
                            .into_iter()
                            .flatten()
                            .collect::<Vec<_>>()
                            .join(", ")
                        ),
                    },
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEAMS: &str = r#"
format = 1
version = "1"
partnership_lead = "lead"
administrators = ["admin"]
[[teams]]
id = "rv-north"
name = "Riverton North"
agency = "social_care"
manager = "m1"
members = ["a"]
[[teams]]
id = "rv-south"
name = "Riverton South"
agency = "social_care"
manager = "m2"
members = ["b"]
[[teams]]
id = "bk"
name = "Brookfield"
agency = "social_care"
manager = "m3"
members = ["c"]
"#;

    const ROUTES: &str = r#"
format = 1
version = "1"
[[routes]]
team = "rv-north"
districts = ["RV1", "RV3"]
schools = ["Riverton High School"]
[[routes]]
team = "rv-south"
local_authorities = ["E08000901"]
[[routes]]
team = "bk"
local_authorities = ["E08000902"]
"#;

    fn router() -> Router {
        let dir = Directory::parse(TEAMS, "teams.toml").unwrap();
        Router::parse(ROUTES, "routes.toml", &dir, None).unwrap()
    }

    fn place(home: Option<&str>, placement: Option<&str>, school: Option<&str>) -> ChildPlace {
        ChildPlace {
            home_postcode: home.map(String::from),
            placement_postcode: placement.map(String::from),
            school: school.map(String::from),
            seen_postcode: None,
        }
    }

    #[test]
    fn a_child_known_only_where_seen_goes_to_that_area() {
        let r = router();
        let mut seen = place(None, None, None);
        seen.seen_postcode = Some("RV1 2AB".into());
        let out = r.route(&seen, "x");
        assert!(out.team.is_some(), "{out:?}");
        assert!(out.reason.contains("last seen"), "{}", out.reason);
        // A home address still decides when there is one, and a known home
        // outside the table leaves the concern unrouted rather than sent
        // to where the child happened to be seen.
        let mut both = place(Some("RV1 2AB"), None, None);
        both.seen_postcode = Some("ZZ9 9ZZ".into());
        assert!(r.route(&both, "x").reason.starts_with("home address"));
        let mut away = place(Some("ZZ9 9ZZ"), None, None);
        away.seen_postcode = Some("RV1 2AB".into());
        assert_eq!(r.route(&away, "x").team, None);
        // Nowhere known at all: unrouted.
        assert_eq!(r.route(&place(None, None, None), "x").team, None);
    }

    #[test]
    fn a_district_beats_its_local_authority() {
        let r = router();
        assert_eq!(
            r.route(&place(Some("rv1 2ab"), None, None), "x")
                .team
                .as_deref(),
            Some("rv-north")
        );
        assert_eq!(
            r.route(&place(Some("RV2 2AB"), None, None), "x")
                .team
                .as_deref(),
            Some("rv-south")
        );
        assert_eq!(
            r.route(&place(Some("BK4 9ZZ"), None, None), "x")
                .team
                .as_deref(),
            Some("bk")
        );
    }

    #[test]
    fn an_out_of_area_placement_tells_both_areas() {
        let out = router().route(&place(Some("RV2 2AB"), Some("BK1 1AA"), None), "x");
        assert_eq!(out.team.as_deref(), Some("rv-south"));
        assert_eq!(out.notify, ["bk"]);
        assert!(out.reason.contains("out of area"), "{}", out.reason);
    }

    #[test]
    fn school_then_the_unrouted_queue() {
        let r = router();
        let out = r.route(
            &place(Some("ZZ1 1AA"), None, Some("riverton  high school")),
            "x",
        );
        assert_eq!(out.team.as_deref(), Some("rv-north"));
        let out = r.route(&place(Some("ZZ1 1AA"), None, None), "x");
        assert_eq!(out.team, None);
        assert!(out.reason.contains("ZZ1 1AA"), "{}", out.reason);
        assert_eq!(r.route(&ChildPlace::default(), "x").team, None);
    }

    #[test]
    fn a_table_naming_unknown_teams_or_areas_is_refused() {
        let dir = Directory::parse(TEAMS, "teams.toml").unwrap();
        let bad = ROUTES
            .replace("team = \"bk\"", "team = \"bkk\"")
            .replace("E08000902", "E0999");
        let err = Router::parse(&bad, "routes.toml", &dir, None)
            .err()
            .unwrap();
        assert_eq!(err.problems.len(), 2, "{err}");
        assert!(err.problems[0].contains("routes[2] (bkk)"));
    }

    #[test]
    fn districts_of_postcodes() {
        assert_eq!(district_of("OL11 1AA").as_deref(), Some("OL11"));
        assert_eq!(district_of("m11aa").as_deref(), Some("M1"));
        assert_eq!(district_of("nonsense"), None);
    }
}
