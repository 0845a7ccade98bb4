//! Built-in authentication strengths (policy-model.md §14.2), bundled so a tenant export
//! is optional. A strength embedded in a policy or exported from the tenant wins.

use super::model::{AuthenticationStrength, Flags};

pub const MFA_ID: &str = "00000000-0000-0000-0000-000000000002";
pub const PASSWORDLESS_ID: &str = "00000000-0000-0000-0000-000000000003";
pub const PHISHING_RESISTANT_ID: &str = "00000000-0000-0000-0000-000000000004";

const MFA_COMBINATIONS: &[&str] = &[
    "windowsHelloForBusiness",
    "fido2",
    "x509CertificateMultiFactor",
    "deviceBasedPush",
    "temporaryAccessPassOneTime",
    "temporaryAccessPassMultiUse",
    "password,microsoftAuthenticatorPush",
    "password,softwareOath",
    "password,hardwareOath",
    "password,x509CertificateSingleFactor",
    "password,x509CertificateMultiFactor",
    "password,sms",
    "password,voice",
    "federatedMultiFactor",
    "microsoftAuthenticatorPush,federatedSingleFactor",
    "softwareOath,federatedSingleFactor",
    "hardwareOath,federatedSingleFactor",
    "sms,federatedSingleFactor",
    "voice,federatedSingleFactor",
];
const PASSWORDLESS_COMBINATIONS: &[&str] = &[
    "windowsHelloForBusiness",
    "fido2",
    "x509CertificateMultiFactor",
    "deviceBasedPush",
];
const PHISHING_RESISTANT_COMBINATIONS: &[&str] = &[
    "windowsHelloForBusiness",
    "fido2",
    "x509CertificateMultiFactor",
];

fn builtin(id: &str, name: &str, combos: &[&str]) -> AuthenticationStrength {
    AuthenticationStrength {
        id: Some(id.to_string()),
        display_name: Some(name.to_string()),
        description: None,
        policy_type: Some("builtIn".to_string()),
        requirements_satisfied: Flags(vec!["mfa".to_string()]),
        allowed_combinations: combos.iter().map(|s| s.to_string()).collect(),
        combination_configurations: vec![],
    }
}

/// The three built-in strengths with their well-known ids.
pub fn builtin_strengths() -> Vec<AuthenticationStrength> {
    vec![
        builtin(MFA_ID, "Multifactor authentication", MFA_COMBINATIONS),
        builtin(
            PASSWORDLESS_ID,
            "Passwordless MFA",
            PASSWORDLESS_COMBINATIONS,
        ),
        builtin(
            PHISHING_RESISTANT_ID,
            "Phishing-resistant MFA",
            PHISHING_RESISTANT_COMBINATIONS,
        ),
    ]
}
