//! Authentication strengths (evaluation.md §4.4; policy-model.md §14): allowed
//! combinations of `authenticationMethodModes`, and the mapping from logged methods to
//! modes. An ambiguous log label (OATH, TAP, certificate) is Met only if **every**
//! candidate mode satisfies, Unmet if none does, else Unknown.

use crate::model::{AuthMethod, Tri};
use crate::policy::AuthenticationStrength;

/// `authenticationMethodModes` bits (policy-model.md §14.3).
const MODES: &[(&str, u32)] = &[
    ("password", 1),
    ("voice", 2),
    ("hardwareOath", 4),
    ("softwareOath", 8),
    ("sms", 16),
    ("fido2", 32),
    ("windowsHelloForBusiness", 64),
    ("microsoftAuthenticatorPush", 128),
    ("deviceBasedPush", 256),
    ("temporaryAccessPassOneTime", 512),
    ("temporaryAccessPassMultiUse", 1024),
    ("email", 2048),
    ("x509CertificateSingleFactor", 4096),
    ("x509CertificateMultiFactor", 8192),
    ("federatedSingleFactor", 16384),
    ("federatedMultiFactor", 32768),
    ("qrCodePin", 131072),
];

pub(crate) fn mode_bit(name: &str) -> Option<u32> {
    let n = name.trim();
    MODES
        .iter()
        .find(|(m, _)| m.eq_ignore_ascii_case(n))
        .map(|(_, b)| *b)
}

const PASSWORD: u32 = 1;
const VOICE: u32 = 2;
const HW_OATH: u32 = 4;
const SW_OATH: u32 = 8;
const SMS: u32 = 16;
const PUSH: u32 = 128;
const TAP_ONCE: u32 = 512;
const TAP_MULTI: u32 = 1024;

/// Methods a guest can perform in the *resource* tenant without inbound MFA trust
/// (evaluation.md §4.4 "External users").
pub(crate) const RESOURCE_TENANT_GUEST_MODES: u32 = PASSWORD | SMS | VOICE | PUSH | SW_OATH;

/// One allowed combination.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Combo {
    pub modes: u32,
    /// A `combinationConfigurations` entry restricts it (FIDO2 AAGUIDs, certificate
    /// issuers): not checkable from logs.
    pub restricted: bool,
}

/// A resolved strength.
#[derive(Debug, Clone)]
pub struct CompiledStrength {
    pub id: String,
    pub name: String,
    pub(crate) combos: Vec<Combo>,
    /// Where the definition came from (policy-embedded, tenant export, built-in).
    pub source: &'static str,
}

impl CompiledStrength {
    /// Build from a Graph object; unknown modes are returned as problems.
    pub(crate) fn from_graph(
        s: &AuthenticationStrength,
        source: &'static str,
    ) -> (CompiledStrength, Vec<String>) {
        let mut problems = vec![];
        let id = s.id.clone().unwrap_or_default();
        let restricted_combos: Vec<u32> = s
            .combination_configurations
            .iter()
            .flat_map(|c| {
                c.get("appliesToCombinations")
                    .and_then(|v| v.as_array())
                    .cloned()
                    .unwrap_or_default()
            })
            .filter_map(|v| v.as_str().map(combo_bits).and_then(|r| r.ok()))
            .collect();
        let mut combos = vec![];
        for c in &s.allowed_combinations {
            match combo_bits(c) {
                Ok(bits) => combos.push(Combo {
                    modes: bits,
                    restricted: restricted_combos.contains(&bits),
                }),
                Err(m) => problems.push(format!(
                    "authentication strength `{id}`: combination `{c}` has unknown mode `{m}`"
                )),
            }
        }
        let name = s.display_name.clone().unwrap_or_else(|| id.clone());
        (
            CompiledStrength {
                id,
                name,
                combos,
                source,
            },
            problems,
        )
    }
}

fn combo_bits(c: &str) -> Result<u32, String> {
    let mut bits = 0;
    for m in c.split(',').map(str::trim).filter(|m| !m.is_empty()) {
        bits |= mode_bit(m).ok_or_else(|| m.to_string())?;
    }
    Ok(bits)
}

/// Facts that refine the method→mode mapping.
#[derive(Debug, Clone, Copy)]
pub(crate) struct MethodOpts {
    /// Directory `isUsableOnce` of the user's TAP.
    pub tap_once: Option<bool>,
    /// Whether a TAP counts for this user (policy-model.md §14.4: not for external guests
    /// without inbound MFA trust).
    pub tap_counts: Option<bool>,
}

/// Candidate modes of one logged method; `0` = contributes nothing.
pub(crate) fn candidates(m: AuthMethod, o: MethodOpts) -> Vec<u32> {
    use AuthMethod as A;
    let tap = |bits: Vec<u32>| -> Vec<u32> {
        match o.tap_counts {
            Some(true) => bits,
            Some(false) => vec![0],
            None => {
                let mut b = bits;
                b.push(0);
                b
            }
        }
    };
    match m {
        A::Password => vec![PASSWORD],
        A::Sms => vec![SMS],
        A::Voice => vec![VOICE],
        A::AuthenticatorPush => vec![PUSH],
        A::Oath => vec![SW_OATH, HW_OATH],
        A::SoftwareOath => vec![SW_OATH],
        A::HardwareOath => vec![HW_OATH],
        A::PhoneSignIn => vec![256],
        A::Fido2 => vec![32],
        A::WindowsHelloForBusiness => vec![64],
        A::TemporaryAccessPass => tap(match o.tap_once {
            Some(true) => vec![TAP_ONCE],
            Some(false) => vec![TAP_MULTI],
            None => vec![TAP_ONCE, TAP_MULTI],
        }),
        A::TemporaryAccessPassOneTime => tap(vec![TAP_ONCE]),
        A::TemporaryAccessPassMultiUse => tap(vec![TAP_MULTI]),
        A::X509Certificate => vec![4096, 8192],
        A::X509CertificateSingleFactor => vec![4096],
        A::X509CertificateMultiFactor => vec![8192],
        A::Email => vec![2048],
        A::FederatedSingleFactor => vec![16384],
        A::FederatedMultiFactor => vec![32768],
        // EAM never satisfies a strength; "previously satisfied" names no method.
        A::ExternalMethod | A::PreviouslySatisfied => vec![0],
    }
}

/// Whether the session's modes `m` satisfy some combination.
fn satisfied_by(combos: &[Combo], m: u32) -> Tri {
    let mut t = Tri::No;
    for c in combos {
        if c.modes != 0 && c.modes & m == c.modes {
            if !c.restricted {
                return Tri::Yes;
            }
            t = Tri::unknown("the matching combination is restricted (FIDO2 AAGUID / certificate issuer not in logs)");
        }
    }
    t
}

/// Enumerate the ambiguous method readings (capped) and combine: Met only if every
/// reading satisfies (evaluation.md §4.4).
pub(crate) fn methods_satisfy(combos: &[Combo], methods: &[AuthMethod], o: MethodOpts) -> Tri {
    let mut masks: Vec<u32> = vec![0];
    for m in methods {
        let cands = candidates(*m, o);
        let mut next = Vec::with_capacity(masks.len() * cands.len());
        for mask in &masks {
            for c in &cands {
                next.push(mask | c);
            }
        }
        next.sort_unstable();
        next.dedup();
        masks = next;
        if masks.len() > 256 {
            return Tri::unknown("too many ambiguous authentication methods");
        }
    }
    let results: Vec<Tri> = masks.iter().map(|m| satisfied_by(combos, *m)).collect();
    if results.iter().all(Tri::is_yes) {
        Tri::Yes
    } else if results.iter().all(Tri::is_no) {
        Tri::No
    } else if let Some(Tri::Unknown(r)) = results.iter().find(|r| r.is_unknown()) {
        Tri::Unknown(r.clone())
    } else {
        Tri::unknown("an ambiguous logged method (e.g. TAP one-time vs multi-use, OATH software vs hardware) decides")
    }
}

/// Whether a guest limited to resource-tenant methods could satisfy the strength at all.
pub(crate) fn reachable_with(combos: &[Combo], available: u32) -> bool {
    combos
        .iter()
        .any(|c| c.modes != 0 && c.modes & available == c.modes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ambiguous_tap_against_multi_use_only() {
        let combos = vec![Combo {
            modes: TAP_MULTI,
            restricted: false,
        }];
        let o = MethodOpts {
            tap_once: None,
            tap_counts: Some(true),
        };
        assert!(methods_satisfy(&combos, &[AuthMethod::TemporaryAccessPass], o).is_unknown());
        let once = MethodOpts {
            tap_once: Some(true),
            ..o
        };
        assert!(methods_satisfy(&combos, &[AuthMethod::TemporaryAccessPass], once).is_no());
    }
}
