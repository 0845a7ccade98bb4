//! One [`WireRecord`] (any family) to one canonical [`SignInRecord`] (signin-logs.md §7).
//! Present-but-unreadable values reject the row, except fields whose fact can simply be
//! Unknown (an IP address, enum values: unreadable.rs), which load with a counted
//! warning; absent values stay `None`.

use super::reject::{excerpt, Reject, RejectKind};
use super::schema::{AcrRef, CaPolicyResult, EventType, SignInRecord};
use super::unreadable::{check_enums, FieldWarning, Unreadable};
use super::val::Val;
use super::values::{self, key, nested, text, text_nonempty};
use super::wire::{WireRecord, F};
use std::borrow::Cow;

/// One authentication step (Graph `authenticationDetails[]` or a portal AuthDetails row).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AuthStep {
    pub method: Option<String>,
    pub succeeded: Option<bool>,
    pub requirement: Option<String>,
    pub result_detail: Option<String>,
}

/// An authentication step as normalisation reads it: text borrowed from the record, or
/// from a joined AuthDetails row.
struct Step<'s> {
    method: Option<Cow<'s, str>>,
    succeeded: Option<bool>,
    requirement: Option<Cow<'s, str>>,
    result_detail: Option<Cow<'s, str>>,
}

impl<'s> Step<'s> {
    fn of(a: &'s AuthStep) -> Step<'s> {
        Step {
            method: a.method.as_deref().map(Cow::Borrowed),
            succeeded: a.succeeded,
            requirement: a.requirement.as_deref().map(Cow::Borrowed),
            result_detail: a.result_detail.as_deref().map(Cow::Borrowed),
        }
    }
}

/// Where the record came from.
pub struct Ctx<'a> {
    /// Fields the JSON reader skips (wire.rs).
    pub projection: super::wire::Projection,
    pub format: &'a str,
    pub file: &'a str,
    pub line: Option<u64>,
    /// Event type implied by the file (name hint, CSV header), used when the record says
    /// nothing (signin-logs.md §7 `event_type` order).
    pub file_event_type: Option<EventType>,
    /// The longest record read ([`super::LoadOptions::max_record_bytes`]).
    pub max_record_bytes: usize,
}

/// Result of normalising one record.
pub struct Normalized {
    pub record: SignInRecord,
    /// Some nested value was a PowerShell type name (data lost at export time).
    pub lost_nested: bool,
    /// Fields present but unreadable: their facts are Unknown (unreadable.rs).
    pub unreadable: Vec<FieldWarning>,
}

/// Field view over an envelope: the sign-in (`properties`) first, then the envelope.
struct View<'a> {
    main: &'a WireRecord<'a>,
    env: Option<&'a WireRecord<'a>>,
}

impl<'a> View<'a> {
    fn get(&self, f: F) -> Option<&'a Val<'a>> {
        self.main.get(f).or_else(|| self.env.and_then(|e| e.get(f)))
    }
    fn env_first(&self, f: F) -> Option<&'a Val<'a>> {
        self.env.and_then(|e| e.get(f)).or_else(|| self.main.get(f))
    }
}

fn lower(s: Option<String>) -> Option<String> {
    s.map(|mut s| {
        s.make_ascii_lowercase();
        s
    })
}

/// Normalise. `extra_steps`: AuthDetails rows joined by request id (portal CSV, §4.4).
pub fn normalize(
    w: &WireRecord,
    ctx: &Ctx<'_>,
    extra_steps: Option<&[AuthStep]>,
) -> Result<Normalized, Reject> {
    let v = match &w.properties {
        Some(p) => View {
            main: p,
            env: Some(w),
        },
        None => View { main: w, env: None },
    };
    let mut lost = false;

    let event_id = text_nonempty(v.main.get(F::Id)).ok_or_else(|| {
        Reject::new(
            RejectKind::MissingRequired,
            "no request id (`id` / `Id` / `Request ID`): expected a non-empty string",
        )
    })?;
    let created_at = values::time(v.get(F::CreatedDateTime), "createdDateTime")?;
    let record_time = values::time(v.env_first(F::Time), "time")?;

    // IP: the sign-in's own field, else the envelope's caller IP (signin-logs.md §6.1).
    let ip_text = text_nonempty(v.main.get(F::IpAddress))
        .or_else(|| text_nonempty(v.env_first(F::CallerIpAddress)));
    // A value that is not an IP address (`[redacted]` in shared captures) makes the IP
    // Unknown, with a counted warning: the rest of the row is still good.
    let mut unreadable = Vec::new();
    let ip = match ip_text {
        None => None,
        Some(t) => match values::canonical_ip(&t) {
            Some(Cow::Borrowed(_)) => Some(t),
            Some(Cow::Owned(c)) => Some(c),
            None => {
                unreadable.push(FieldWarning::new(Unreadable::IpAddress, &t));
                None
            }
        },
    };

    // Location: object (Graph/diag/LA LocationDetails) or text (`CC`, or portal
    // `City, State, CC`, signin-logs.md §4.2).
    let (mut country, mut state, mut city) = (None, None, None);
    let loc_obj = nested(v.main.get(F::LocationDetails), "LocationDetails", &mut lost)?;
    let loc_main = v.main.get(F::Location);
    let loc_obj = match loc_obj {
        Some(o) => Some(o),
        None => match loc_main {
            Some(Val::Object(_)) => loc_main.map(std::borrow::Cow::Borrowed),
            Some(Val::String(s)) if s.trim_start().starts_with('{') => {
                nested(loc_main, "location", &mut lost)?
            }
            _ => None,
        },
    };
    if let Some(o) = loc_obj.as_deref() {
        country = text(key(o, "countryOrRegion"));
        state = text_nonempty(key(o, "state"));
        city = text_nonempty(key(o, "city"));
    }
    if country.is_none() {
        let loc_text = match loc_main {
            Some(Val::String(s)) if !s.trim_start().starts_with('{') => Some(s.clone()),
            _ => match v.env.and_then(|e| e.get(F::Location)) {
                Some(Val::String(s)) => Some(s.clone()),
                _ => None,
            },
        };
        if let Some(t) = loc_text {
            let parts: Vec<&str> = t.rsplitn(3, ", ").collect();
            country = parts.first().map(|c| c.trim().to_string());
            if state.is_none() {
                state = parts
                    .get(1)
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty());
            }
            if city.is_none() {
                city = parts
                    .get(2)
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty());
            }
        }
    }
    let country = country.map(|mut c| {
        c.make_ascii_uppercase();
        c
    });

    // Status
    let status = nested_status(v.get(F::Status), &mut lost)?;
    let error_code = match status.as_deref().and_then(|s| key(s, "errorCode")) {
        Some(ec) => values::int(Some(ec), "status.errorCode")?,
        None => match v.get(F::ErrorCode) {
            Some(ec) => values::int(Some(ec), "Sign-in error code")?,
            None => values::int(v.env_first(F::ResultType), "resultType")?,
        },
    };
    let failure_reason = status
        .as_deref()
        .and_then(|s| text_nonempty(key(s, "failureReason")))
        .or_else(|| text_nonempty(v.get(F::FailureReason)))
        .or_else(|| text_nonempty(v.get(F::ResultDescription)));
    let additional_details = status
        .as_deref()
        .and_then(|s| text_nonempty(key(s, "additionalDetails")))
        .or_else(|| text_nonempty(v.get(F::MfaResult)));

    // Device (object, or portal flat columns)
    let dev = nested(v.get(F::DeviceDetail), "deviceDetail", &mut lost)?;
    let dget = |name: &str, flat: F| -> Option<&Val<'_>> {
        dev.as_deref()
            .and_then(|d| key(d, name))
            .or_else(|| v.get(flat))
    };
    let device_id = text(dget("deviceId", F::DeviceId));
    let device_display_name = text_nonempty(dget("displayName", F::DeviceDisplayName));
    let os_raw = text_nonempty(dget("operatingSystem", F::OperatingSystem));
    let browser_raw = text_nonempty(dget("browser", F::Browser));
    // A device flag that is not a boolean makes that device state Unknown, not the row
    // rejected.
    let mut device_flag = |v: Option<&Val<'_>>, kind: Unreadable| match values::flag(v, "") {
        Ok(b) => b,
        Err(_) => {
            let shown = match v {
                Some(Val::String(s)) => s.to_string(),
                Some(other) => other.to_string(),
                None => String::new(),
            };
            unreadable.push(FieldWarning::new(kind, &shown));
            None
        }
    };
    let device_is_compliant =
        device_flag(dget("isCompliant", F::IsCompliant), Unreadable::IsCompliant);
    let device_is_managed = device_flag(dget("isManaged", F::IsManaged), Unreadable::IsManaged);
    let device_trust_type = text_nonempty(dget("trustType", F::TrustType));

    // Authentication
    // Steps borrow their text from the record (they feed the method list and the MFA
    // test; only method names are copied out).
    let mut steps: Vec<Step<'_>> = Vec::new();
    let details = nested(
        v.get(F::AuthenticationDetails),
        "authenticationDetails",
        &mut lost,
    )?;
    let details_present = details.is_some() || extra_steps.is_some();
    if let Some(d) = details.as_deref() {
        match d {
            Val::Array(items) => {
                for it in items {
                    steps.push(Step {
                        method: values::text_nonempty_ref(key(it, "authenticationMethod")),
                        succeeded: values::flag(
                            key(it, "succeeded"),
                            "authenticationDetails[].succeeded",
                        )?,
                        requirement: values::text_nonempty_ref(key(
                            it,
                            "authenticationStepRequirement",
                        )),
                        result_detail: values::text_nonempty_ref(key(
                            it,
                            "authenticationStepResultDetail",
                        )),
                    });
                }
            }
            other => {
                return Err(Reject::new(
                    RejectKind::BadValue,
                    format!(
                        "`authenticationDetails` is {}: expected an array",
                        excerpt(&other.to_string())
                    ),
                ))
            }
        }
    }
    if let Some(x) = extra_steps {
        steps.extend(x.iter().map(Step::of));
    }
    let methods_used = values::string_list(
        v.get(F::AuthenticationMethodsUsed),
        "authenticationMethodsUsed",
        &mut lost,
    )?;
    let mfa_method = text_nonempty(v.get(F::MfaMethod));
    let auth_methods = if details_present || methods_used.is_some() || mfa_method.is_some() {
        let mut out: Vec<String> = Vec::new();
        // Only completed steps count as methods used in the session (§8.10).
        let from_steps = steps
            .iter()
            .filter(|s| s.succeeded != Some(false))
            .filter_map(|s| s.method.as_deref().map(str::to_owned));
        for m in from_steps
            .chain(methods_used.into_iter().flatten())
            .chain(mfa_method)
        {
            if !out.iter().any(|o| o.eq_ignore_ascii_case(&m)) {
                out.push(m);
            }
        }
        Some(out)
    } else {
        None
    };
    // Matched without a lower-cased copy.
    let auth_requirement =
        values::text_nonempty_ref(v.get(F::AuthenticationRequirement)).map(|r| {
            let has = |n: &str| values::contains_ignore_case(&r, n);
            if has("multi") {
                "multiFactorAuthentication".to_string()
            } else if has("single") {
                "singleFactorAuthentication".to_string()
            } else {
                r.into_owned()
            }
        });
    let mfa_satisfied = mfa_satisfied(&steps, details_present, additional_details.as_deref());

    // ACRs (§8.5)
    let acr = nested(
        v.get(F::AuthenticationContextClassReferences),
        "authenticationContextClassReferences",
        &mut lost,
    )?;
    let acr_refs = match acr.as_deref() {
        None => None,
        Some(Val::Array(items)) => Some(
            items
                .iter()
                .filter_map(|i| {
                    Some(AcrRef {
                        id: text_nonempty(key(i, "id"))?,
                        detail: text_nonempty(key(i, "detail")),
                    })
                })
                .collect(),
        ),
        Some(other) => {
            return Err(Reject::new(
                RejectKind::BadValue,
                format!(
                "`authenticationContextClassReferences` is {}: expected an array of {{id, detail}}",
                excerpt(&other.to_string())
            ),
            ))
        }
    };

    // Network location details (§8.4)
    let nld = nested(
        v.get(F::NetworkLocationDetails),
        "networkLocationDetails",
        &mut lost,
    )?;
    let (network_types, network_names) = match nld.as_deref() {
        Some(Val::Array(items)) => {
            let mut types = Vec::new();
            let mut names = Vec::new();
            for i in items {
                if let Some(t) = text_nonempty(key(i, "networkType")) {
                    types.push(t);
                }
                if let Some(Val::Array(ns)) = key(i, "networkNames") {
                    names.extend(ns.iter().filter_map(|n| text_nonempty(Some(n))));
                }
            }
            (Some(types), Some(names))
        }
        _ => (None, None),
    };

    // CA policies (§3.4)
    let cap = nested(
        v.get(F::AppliedConditionalAccessPolicies),
        "appliedConditionalAccessPolicies",
        &mut lost,
    )?;
    let ca_policies = match cap.as_deref() {
        None => None,
        Some(Val::Array(items)) => {
            let mut out = Vec::with_capacity(items.len());
            for (i, p) in items.iter().enumerate() {
                out.push(ca_policy(p, i, &mut lost)?);
            }
            Some(out)
        }
        Some(other) => {
            return Err(Reject::new(
                RejectKind::BadValue,
                format!(
                    "`appliedConditionalAccessPolicies` is {}: expected an array",
                    excerpt(&other.to_string())
                ),
            ))
        }
    };
    let agent = nested(v.get(F::Agent), "agent", &mut lost)?;
    let agent_type = agent.as_deref().and_then(|a| {
        text_nonempty(key(a, "agentSubjectType")).or_else(|| text_nonempty(key(a, "agentType")))
    });
    // Present but null or blank means "the same IP" (the field is in every beta record):
    // kept apart from absent, which means the export does not say.
    let resource_ip = v
        .get(F::IpAddressFromResourceProvider)
        .map(|x| text_nonempty(Some(x)).unwrap_or_default());
    let tp = nested(
        v.get(F::TokenProtectionStatusDetails),
        "tokenProtectionStatusDetails",
        &mut lost,
    )?;
    let token_binding = tp
        .as_deref()
        .and_then(|t| text_nonempty(key(t, "signInSessionStatus")));
    let aud = nested(
        v.get(F::ConditionalAccessAudiences),
        "conditionalAccessAudiences",
        &mut lost,
    )?;
    let ca_audiences = match aud.as_deref() {
        Some(Val::Array(items)) => Some(
            items
                .iter()
                .filter_map(|i| match i {
                    Val::String(s) => Some(s.trim().to_string()),
                    Val::Object(_) => text_nonempty(key(i, "applicationId")),
                    _ => None,
                })
                .filter(|s| !s.is_empty())
                .collect(),
        ),
        _ => None,
    };
    let ca_status = text_nonempty(v.get(F::ConditionalAccessStatus)).map(|s| {
        let k: String = s
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_lowercase();
        match k.as_str() {
            "success" => "success".to_string(),
            "failure" => "failure".to_string(),
            "notapplied" => "notApplied".to_string(),
            "unknownfuturevalue" => "unknownFutureValue".to_string(),
            _ => s,
        }
    });

    let msi = nested(
        v.get(F::ManagedServiceIdentity),
        "managedServiceIdentity",
        &mut lost,
    )?;
    let msi_type = msi
        .as_deref()
        .and_then(|m| text_nonempty(key(m, "msiType")))
        .or_else(|| text_nonempty(v.get(F::MsiType)));

    // Resource: LA `ResourceIdentity` first; a `ResourceId` that is an Azure resource path
    // (`/tenants/…`) is the envelope's, not the app id (signin-logs.md §5.3).
    let resource_id = text_nonempty(v.main.get(F::ResourceIdentity))
        .or_else(|| text_nonempty(v.main.get(F::ResourceId)).filter(|r| !r.starts_with('/')));

    let user_id = text_nonempty(v.main.get(F::UserId));
    let sp_id = text_nonempty(v.main.get(F::ServicePrincipalId));
    let is_interactive = values::flag(v.main.get(F::IsInteractive), "isInteractive")?;
    let event_type = event_type(
        &v,
        ctx,
        is_interactive,
        user_id.is_some(),
        sp_id.is_some(),
        msi_type.as_deref(),
        &mut lost,
    )?;

    let cross = values::string_list(
        v.main.get(F::CrossTenantAccessType),
        "crossTenantAccessType",
        &mut lost,
    )?
    .filter(|l| !l.is_empty());

    let record = SignInRecord {
        event_id,
        created_at,
        record_time,
        event_type,
        log_category: text_nonempty(v.env_first(F::Category)),
        is_interactive,
        correlation_id: text_nonempty(v.get(F::CorrelationId)),
        session_id: text_nonempty(v.main.get(F::SessionId)),
        user_id,
        user_upn: lower(text_nonempty(v.main.get(F::UserPrincipalName))),
        user_display_name: text_nonempty(v.main.get(F::UserDisplayName)),
        user_type: lower(text_nonempty(v.main.get(F::UserType))),
        cross_tenant_access_type: cross,
        home_tenant_id: text_nonempty(v.main.get(F::HomeTenantId)),
        resource_tenant_id: text_nonempty(v.main.get(F::ResourceTenantId)),
        app_id: text_nonempty(v.main.get(F::AppId)),
        app_display_name: text_nonempty(v.main.get(F::AppDisplayName)),
        resource_id,
        resource_display_name: text_nonempty(v.main.get(F::ResourceDisplayName)),
        sp_id,
        sp_name: text_nonempty(v.main.get(F::ServicePrincipalName)),
        ip,
        country,
        state,
        city,
        network_types,
        network_names,
        client_app_raw: text_nonempty(v.main.get(F::ClientAppUsed)),
        os_raw,
        browser_raw,
        user_agent: text_nonempty(v.main.get(F::UserAgent)),
        device_id,
        device_display_name,
        device_is_compliant,
        device_is_managed,
        device_trust_type,
        sign_in_risk: lower(text_nonempty(v.main.get(F::RiskLevelDuringSignIn))),
        auth_requirement,
        auth_methods,
        mfa_satisfied,
        auth_protocol: text_nonempty(v.main.get(F::AuthenticationProtocol)),
        original_transfer_method: text_nonempty(v.main.get(F::OriginalTransferMethod)),
        incoming_token_type: text_nonempty(v.main.get(F::IncomingTokenType)),
        acr_refs,
        error_code,
        failure_reason,
        additional_details,
        ca_status,
        ca_policies,
        ca_audiences,
        msi_type,
        agent_type,
        resource_ip,
        token_binding,
        source_format: ctx.format.to_string(),
        source_file: ctx.file.to_string(),
        source_line: ctx.line,
    };
    check_enums(&record, &mut unreadable);
    Ok(Normalized {
        record,
        lost_nested: lost,
        unreadable,
    })
}

/// Status: object, JSON text, or a portal display word (`Success`, which carries nothing
/// the error-code column does not).
fn nested_status<'a>(
    v: Option<&'a Val<'a>>,
    lost: &mut bool,
) -> Result<Option<std::borrow::Cow<'a, Val<'a>>>, Reject> {
    match v {
        Some(Val::String(s)) if !s.trim_start().starts_with('{') => Ok(None),
        other => nested(other, "status", lost),
    }
}

fn ca_policy(p: &Val<'_>, i: usize, lost: &mut bool) -> Result<CaPolicyResult, Reject> {
    if p.as_object().is_none() {
        return Err(Reject::new(
            RejectKind::BadValue,
            format!(
                "`appliedConditionalAccessPolicies[{i}]` is {}: expected an object",
                excerpt(&p.to_string())
            ),
        ));
    }
    let id = text_nonempty(key(p, "id")).ok_or_else(|| {
        Reject::new(
            RejectKind::MissingRequired,
            format!("`appliedConditionalAccessPolicies[{i}].id` is missing: expected a policy id"),
        )
    })?;
    let list = |name: &str, lost: &mut bool| -> Result<Vec<String>, Reject> {
        Ok(values::string_list(key(p, name), name, lost)?.unwrap_or_default())
    };
    let strength = key(p, "authenticationStrength");
    Ok(CaPolicyResult {
        id,
        display_name: text_nonempty(key(p, "displayName")),
        result: text_nonempty(key(p, "result")),
        grant_controls: list("enforcedGrantControls", lost)?,
        session_controls: list("enforcedSessionControls", lost)?,
        conditions_satisfied: values::condition_bits(key(p, "conditionsSatisfied")),
        conditions_not_satisfied: values::condition_bits(key(p, "conditionsNotSatisfied")),
        auth_strength_result: strength
            .and_then(|s| text_nonempty(key(s, "authenticationStrengthResult"))),
    })
}

/// signin-logs.md §8.10: strongest signal first; `None` when nothing was logged.
fn mfa_satisfied(
    steps: &[Step<'_>],
    details_present: bool,
    additional: Option<&str>,
) -> Option<bool> {
    use values::contains_ignore_case as has;
    fn mfa_phrase(s: &str) -> bool {
        has(s, "mfa requirement satisfied") || has(s, "mfa completed")
    }
    for s in steps {
        let req = s.requirement.as_deref().unwrap_or("");
        let is_mfa_step =
            has(req, "multi-factor") || has(req, "multifactor") || req.eq_ignore_ascii_case("mfa");
        if (is_mfa_step && s.succeeded == Some(true))
            || s.result_detail.as_deref().is_some_and(mfa_phrase)
        {
            return Some(true);
        }
    }
    if additional.is_some_and(mfa_phrase) {
        return Some(true);
    }
    if details_present && !steps.is_empty() {
        Some(false)
    } else {
        None
    }
}

#[allow(clippy::too_many_arguments)]
fn event_type(
    v: &View<'_>,
    ctx: &Ctx<'_>,
    is_interactive: Option<bool>,
    has_user: bool,
    has_sp: bool,
    msi_type: Option<&str>,
    lost: &mut bool,
) -> Result<EventType, Reject> {
    // 1. signInEventTypes. A JSON array (Graph) is read in place; other shapes (JSON
    // text, a comma list) through `string_list`. Same first parseable member either way:
    // `EventType::parse` ignores the trimming and empty members `string_list` drops.
    let listed = match v.main.get(F::SignInEventTypes) {
        Some(Val::Array(items)) => items
            .iter()
            .find_map(|i| values::text_ref(Some(i)).and_then(|s| EventType::parse(&s))),
        other => values::string_list(other, "signInEventTypes", lost)?
            .and_then(|list| list.iter().find_map(|s| EventType::parse(s))),
    };
    if let Some(t) = listed {
        if t != EventType::Unknown {
            return Ok(t);
        }
    }
    // 2. diagnostic category / Log Analytics table
    if let Some(t) = text_nonempty(v.env_first(F::Category)).and_then(|c| EventType::parse(&c)) {
        return Ok(t);
    }
    // 3. file name / header hint
    if let Some(t) = ctx.file_event_type {
        return Ok(t);
    }
    // 4. isInteractive and principal columns [inf]
    Ok(match is_interactive {
        Some(true) => EventType::InteractiveUser,
        Some(false) if !has_user && has_sp => match msi_type {
            Some(m) if !m.eq_ignore_ascii_case("none") => EventType::ManagedIdentity,
            _ => EventType::ServicePrincipal,
        },
        Some(false) => EventType::NonInteractiveUser,
        None => EventType::Unknown,
    })
}
