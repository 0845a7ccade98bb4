//! V15: approved client app / app protection as the only or AND-ed control is unsupported
//! with macOS or Linux included (policy-model.md §11).
use crate::policy::finding::{define_rule, Hit, Severity};
use crate::policy::view;

define_rule!(
    AppControlsPlatforms,
    "V15",
    "app-controls-desktop-platforms",
    Severity::Warning,
    "approvedApplication/compliantApplication (sole or AND) not with macOS or Linux included",
    |p, t| {
        let app_control = ["approvedapplication", "compliantapplication"];
        let controls = view::controls(p);
        if !controls.iter().any(|c| app_control.contains(&c.as_str())) {
            return vec![];
        }
        if view::grant_count(p) > 1 && !view::operator_is_and(p) {
            return vec![];
        }
        let platforms = view::conditions(p).and_then(|c| c.platforms.as_ref());
        let desktop: Vec<&String> = platforms
            .map(|pl| {
                pl.include_platforms
                    .iter()
                    .filter(|x| {
                        ["macos", "linux"].contains(&x.trim().to_ascii_lowercase().as_str())
                    })
                    .collect()
            })
            .unwrap_or_default();
        if desktop.is_empty() {
            return vec![];
        }
        vec![Hit::new(
            ".conditions.platforms.includePlatforms",
            format!("approved client app / app protection policy is unsupported on {}: those sign-ins can never satisfy it",
                desktop.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")),
        )]
    }
);
