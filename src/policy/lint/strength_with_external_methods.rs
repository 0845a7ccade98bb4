//! L3: external authentication methods / custom controls are incompatible with
//! authentication strength (seed: protect-security-info-registration.txt warning); users
//! whose only second factor is external cannot satisfy such a policy.
use crate::policy::finding::{define_rule, Hit, Severity};
use crate::policy::view;

define_rule!(
    StrengthWithExternalMethods,
    "L3",
    "strength-with-external-methods",
    Severity::Warning,
    "an authentication strength combined with custom controls / external authentication methods",
    |p, t| {
        let Some(g) = view::grant(p) else {
            return vec![];
        };
        if g.authentication_strength.is_none() || g.custom_authentication_factors.is_empty() {
            return vec![];
        }
        vec![Hit::new(
            ".grantControls.customAuthenticationFactors",
            "authentication strength is combined with custom controls: external authentication \
             methods cannot satisfy an authentication strength; use Require multifactor \
             authentication instead",
        )]
    }
);
