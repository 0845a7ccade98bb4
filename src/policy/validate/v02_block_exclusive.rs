//! V2: `block` cannot be combined with any other grant requirement (policy-model.md §11).
use crate::policy::finding::{define_rule, Hit, Severity};
use crate::policy::view;

define_rule!(
    BlockExclusive,
    "V2",
    "block-is-exclusive",
    Severity::Error,
    "block is not combined with other controls, terms of use, custom controls or a strength",
    |p, t| {
        if view::has_control(p, "block") && view::grant_count(p) > 1 {
            vec![Hit::new(
                ".grantControls",
                "`block` is combined with other grant requirements; Block access excludes every other control",
            )]
        } else {
            vec![]
        }
    }
);
