//! V3: `mfa` and `authenticationStrength` cannot both be required (policy-model.md §11).
use crate::policy::finding::{define_rule, Hit, Severity};
use crate::policy::view;

define_rule!(
    MfaAndStrength,
    "V3",
    "mfa-with-strength",
    Severity::Error,
    "require MFA and an authentication strength are not both set",
    |p, t| {
        if view::has_control(p, "mfa") && view::strength(p).is_some() {
            vec![Hit::new(
                ".grantControls",
                "`mfa` and `authenticationStrength` are both set; Graph allows only one of them",
            )]
        } else {
            vec![]
        }
    }
);
