//! Routing: every concern to the team responsible for the child, tracked
//! until it is acknowledged, decided and closed, with working-day clocks
//! and escalation up the chain when they run out.
//!
//! Architecture invariant: no I/O and no clock. The directory and routing
//! table are parsed from text the caller reads; time is passed in (data
//! time in batch, wall time in the server).

pub mod calendar;
pub mod directory;
pub mod gazetteer;
pub mod notify;
pub mod routing;
pub mod workflow;

pub use calendar::Calendar;
pub use directory::{Directory, DirectoryError, Team};
pub use gazetteer::Gazetteer;
pub use routing::{ChildPlace, RouteBasis, RouteOutcome, Router, RoutingError};
