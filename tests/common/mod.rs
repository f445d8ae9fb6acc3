//! What the end-to-end tests share: a temporary directory holding stores
//! and files, the `sightline` binary run against a store in it with a clean
//! environment, and the exploitation story with the simulated towns' teams
//! and routes.

// Each test file uses part of this.
#![allow(dead_code)]

use std::path::PathBuf;

use assert_cmd::Command;
use serde_json::Value;
use tempfile::TempDir;

pub const STORY: &str = include_str!("../fixtures/assess_story.jsonl");
pub const TEAMS: &str = include_str!("../../examples/teams.toml");
pub const ROUTES: &str = include_str!("../../examples/routes.toml");

pub struct Sandbox {
    pub dir: TempDir,
}

impl Sandbox {
    pub fn new() -> Sandbox {
        Sandbox {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    /// `sightline --store DIR/STORE`, run in DIR, with no store or user
    /// from the environment.
    pub fn cmd(&self, store: &str) -> Command {
        let mut cmd = Command::cargo_bin("sightline").unwrap();
        cmd.env_remove("SIGHTLINE_STORE")
            .env_remove("SIGHTLINE_USER")
            .arg("--store")
            .arg(self.dir.path().join(store))
            .current_dir(self.dir.path());
        cmd
    }

    /// Runs, asserts success, returns standard output.
    pub fn stdout(&self, store: &str, args: &[&str]) -> String {
        succeeds(self.cmd(store), args)
    }

    /// `export concerns`, after any global `extra` arguments, parsed.
    pub fn concerns(&self, store: &str, extra: &[&str]) -> Vec<Value> {
        let mut args = extra.to_vec();
        args.extend(["export", "concerns"]);
        json_lines(&self.stdout(store, &args))
    }

    /// The story ingested and run, the towns' routes and `teams` loaded.
    pub fn routed_story(&self, store: &str, teams: &str) {
        self.write("story.jsonl", STORY);
        self.write("teams.toml", teams);
        self.write("routes.toml", ROUTES);
        self.stdout(store, &["run", "story.jsonl"]);
        self.stdout(store, &["--as", "ada.admin", "teams", "load", "teams.toml"]);
        self.stdout(
            store,
            &["--as", "ada.admin", "routes", "load", "routes.toml"],
        );
    }
}

/// Runs a command with `args`, asserts success, returns standard output.
pub fn succeeds(mut cmd: Command, args: &[&str]) -> String {
    let out = cmd.args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Runs a command with `args`, asserts failure, returns standard error.
pub fn fails(mut cmd: Command, args: &[&str]) -> String {
    let out = cmd.args(args).output().unwrap();
    assert!(!out.status.success(), "{args:?} should fail");
    String::from_utf8(out.stderr).unwrap()
}

pub fn json_lines(text: &str) -> Vec<Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}
