//! V7: "Register or join devices" policies allow only `mfa` or a strength as grant, and no
//! client-app, device-filter or device-state conditions (policy-model.md §11).
use crate::policy::finding::{define_rule, Hit, Severity};
use crate::policy::view;

define_rule!(
    RegisterDevice,
    "V7",
    "register-device-shape",
    Severity::Error,
    "urn:user:registerdevice: grant only mfa or a strength; no client app, device filter or state",
    |p, t| {
        if !view::has(view::user_actions(p), view::REGISTER_DEVICE) {
            return vec![];
        }
        let mut wrong = Vec::new();
        let other_controls = view::controls(p).iter().any(|c| c != "mfa")
            || view::grant(p).is_some_and(|g| {
                !g.terms_of_use.is_empty() || !g.custom_authentication_factors.is_empty()
            });
        if other_controls {
            wrong.push("grant controls other than `mfa` / authentication strength");
        }
        if let Some(c) = view::conditions(p) {
            if !(c.client_app_types.is_empty() || view::only(&c.client_app_types, "all")) {
                wrong.push("a client-app condition");
            }
            if c.devices
                .as_ref()
                .is_some_and(|d| d.device_filter.is_some())
            {
                wrong.push("a device filter");
            }
            if c.device_states.is_some() {
                wrong.push("a device-state condition");
            }
        }
        if wrong.is_empty() {
            vec![]
        } else {
            vec![Hit::new(
                ".conditions.applications.includeUserActions",
                format!("register-device policy has {}", wrong.join(", ")),
            )]
        }
    }
);
