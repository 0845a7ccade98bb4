//! Target resources: applications (evaluation.md §3.4a/b). Matched against the token
//! **audience** (resource) and any extra `conditionalAccessAudiences`, never the public
//! client. User-action and authentication-context targeting live in their own files.

use super::{baseline_scopes, Check};
use crate::engine::bundles;
use crate::engine::compile::CompileCx;
use crate::engine::context::{Audience, Ctx};
use crate::engine::device_filter::{FilterMode, RuleFilter};
use crate::engine::ids::{is, IdSet};
use crate::model::{Reason, Tri};
use crate::policy::{Applications, BaselineScopeTarget};

#[derive(Debug, Default, PartialEq)]
struct AppSide {
    all: bool,
    ids: IdSet,
    office365: bool,
    admin_portals: bool,
    /// The side names the Windows Azure Service Management API, which stands for its group.
    azure_management: bool,
}

impl AppSide {
    /// Whether the side covers the audience; Unknown where a bundle cannot place it.
    fn matches(&self, audience: &Audience<'_>) -> Tri {
        if self.all || self.ids.contains_key(&audience.key) {
            return Tri::Yes;
        }
        let mut t = Tri::No;
        if self.office365 {
            t = t.or(audience.office365.clone());
        }
        if self.admin_portals {
            t = t.or(audience.admin_portals.clone());
        }
        if self.azure_management {
            t = t.or(audience.azure_management.clone());
        }
        t
    }
    fn is_empty(&self) -> bool {
        !self.all && self.ids.is_empty() && !self.office365 && !self.admin_portals
    }
}

#[derive(Debug, PartialEq)]
pub struct ApplicationCond {
    include: AppSide,
    exclude: AppSide,
    filter: Option<RuleFilter>,
    /// The tenant's baseline scope settings, kept for an All-resources policy with
    /// resource exclusions only (`baseline_scopes`).
    baseline: Option<BaselineScopeTarget>,
}

fn app_side(list: &[String], include: bool, cx: &mut CompileCx) -> AppSide {
    let mut s = AppSide::default();
    for a in list {
        if is(a, "All") && include {
            s.all = true;
        } else if is(a, "None") {
        } else if is(a, "Office365") {
            s.office365 = true;
        } else if is(a, "MicrosoftAdminPortals") {
            s.admin_portals = true;
        } else if is(a, "All") {
            cx.issue("`All` in excludeApplications is not meaningful; ignored");
        } else {
            // concept-conditional-access-cloud-apps.md § "Windows Azure Service Management
            // API": targeting it covers a group of services (data/azure_management.tsv).
            s.azure_management |= is(a, bundles::AZURE_MANAGEMENT_APP_ID);
            s.ids.insert(a);
        }
    }
    s
}

impl ApplicationCond {
    /// A condition matching nothing (missing `applications`, V1).
    pub(crate) fn nothing() -> ApplicationCond {
        ApplicationCond {
            include: AppSide::default(),
            exclude: AppSide::default(),
            filter: None,
            baseline: None,
        }
    }

    pub fn includes_all(&self) -> bool {
        self.include.all
    }
}

/// `None` when the policy targets user actions or authentication contexts instead of
/// applications (policy-model.md §4: one resource kind per policy).
pub(crate) fn compile(a: Option<&Applications>, cx: &mut CompileCx) -> Option<ApplicationCond> {
    let Some(a) = a else {
        cx.issue("policy has no `conditions.applications`: it applies to nothing (V1)");
        return Some(ApplicationCond::nothing());
    };
    let targets_apps = !a.include_applications.is_empty()
        || !a.exclude_applications.is_empty()
        || a.application_filter.is_some();
    let other_kind = !a.include_user_actions.is_empty()
        || !a.include_authentication_context_class_references.is_empty();
    if other_kind && !targets_apps {
        return None;
    }
    if other_kind {
        cx.issue("policy mixes applications with user actions or authentication contexts (V6); all are required");
    }
    if a.network_access.as_ref().is_some_and(|v| !v.is_null())
        || a.global_secure_access
            .as_ref()
            .is_some_and(|v| !v.is_null())
    {
        cx.issue("Global Secure Access traffic targeting is not evaluated (V13)");
    }
    let include = app_side(&a.include_applications, true, cx);
    let exclude = app_side(&a.exclude_applications, false, cx);
    let filter = a
        .application_filter
        .as_ref()
        .and_then(|f| RuleFilter::compile_attribute_filter(f, "applicationFilter", cx));
    if include.all
        && filter
            .as_ref()
            .is_some_and(|f| f.mode == FilterMode::Include)
    {
        // [unconfirmed] evaluation.md §3.4b: "All" is evaluated as all.
        cx.issue("`All` resources with an include-mode applicationFilter: evaluated as All");
    }
    let baseline = (include.all && !exclude.is_empty()).then(|| cx.baseline_scopes.clone());
    Some(ApplicationCond {
        include,
        exclude,
        filter,
        baseline,
    })
}

impl ApplicationCond {
    fn audience_match(&self, a: &Audience<'_>) -> Tri {
        let mut inc = self.include.matches(a);
        let mut exc = self.exclude.matches(a);
        if let Some(f) = &self.filter {
            // Custom security attributes are not in sign-in logs (§3.4b filter rows).
            match f.mode {
                FilterMode::Include => inc = inc.or(f.eval_attributes()),
                FilterMode::Exclude => exc = exc.or(f.eval_attributes()),
            }
        }
        inc.and(!exc)
    }

    fn resource_access(&self, ctx: &Ctx) -> Check {
        let audiences = ctx.audiences();
        if audiences.is_empty() {
            if self.include.all && self.exclude.is_empty() && self.filter.is_none() {
                return Check::Yes;
            }
            return Check::Unknown("resource (token audience) unknown".into());
        }
        // Some evaluated audience included and not excluded (rule of §3.4a).
        let t = Tri::any(audiences.iter().map(|a| self.audience_match(a)));
        let t = self.baseline_scopes(ctx, t);
        if t.is_no() {
            if let Some(why) = self.early_bound(ctx) {
                return Check::Unknown(why);
            }
            // Residual ID-token rule (§3.4a): a policy naming the *client* applies only to a
            // confidential client requesting an ID token; the facts do not carry the client
            // credential type, so a client-only match is reported as not applied.
            let client_named = ctx
                .app_key()
                .is_some_and(|c| self.include.ids.contains_key(c));
            let why = if client_named {
                "the policy names the client app, but CA targets the resource (token audience)"
            } else {
                "resource not included or excluded"
            };
            return Check::No(why.into());
        }
        Check::from_tri(t, || "resource not in scope".into())
    }

    /// service-dependencies.md § "Policy enforcement": a sign-in to a calling app (Teams)
    /// is also evaluated against the policies of the services it binds early (SharePoint,
    /// Exchange), and the log shows that only through `conditionalAccessAudiences`. Without
    /// them (v1.0, CSV), a policy that misses the resource but covers one of its early-bound
    /// services may still have applied: the reason, else `None`. With them, the audiences
    /// were evaluated as logged. Dependencies outside Microsoft's table ("This list isn't
    /// exhaustive") are not seen.
    fn early_bound(&self, ctx: &Ctx) -> Option<Reason> {
        if ctx.facts.audiences_logged {
            return None;
        }
        let resource = ctx.facts.resource_id.as_deref()?;
        let hit = bundles::early_bound(resource)
            .iter()
            .any(|d| !self.audience_match(&Audience::for_id(d, ctx.dir)).is_no());
        hit.then_some(Reason::Borrowed(
            "the resource binds a service this policy covers early (https://learn.microsoft.com/entra/identity/conditional-access/service-dependencies); no conditionalAccessAudiences were exported to tell whether it was evaluated",
        ))
    }

    /// An All-resources policy with resource exclusions on a Graph-family resource: what a
    /// request for only baseline scopes would get, by the sign-in's time and the tenant's
    /// setting (`baseline_scopes` module comment).
    fn baseline_scopes(&self, ctx: &Ctx, logged: Tri) -> Tri {
        let Some(setting) = &self.baseline else {
            return logged;
        };
        let f = ctx.facts;
        if !f
            .resource_id
            .as_deref()
            .is_some_and(baseline_scopes::graph_family)
        {
            return logged;
        }
        baseline_scopes::decide(setting, f.signed_in_at, f.audiences_logged, logged, |app| {
            self.audience_match(&Audience::for_id(app, ctx.dir))
        })
    }

    pub fn eval(&self, ctx: &Ctx) -> Check {
        // User-action events: only `All`-resources policies take part (§3.4c).
        match ctx.facts.user_action {
            Some(Some(a)) => {
                if self.include.all {
                    return self.resource_access(ctx);
                }
                Check::No(
                    format!(
                        "a specific-resource policy does not apply to the user action {}",
                        a.urn()
                    )
                    .into(),
                )
            }
            Some(None) => self.resource_access(ctx),
            None => {
                let r = self.resource_access(ctx);
                if self.include.all || matches!(r, Check::No(_)) {
                    return r;
                }
                match ctx.registration_resource() {
                    Some(false) => r,
                    _ => Check::Unknown(
                        "event may be a user action (registration not identifiable without the ACR list)"
                            .into(),
                    ),
                }
            }
        }
    }
}

/// The slow twin of [`ApplicationCond::eval`]: each policy works the event's audiences
/// out from the raw facts itself (trim, case, bundle scans), as before the evaluation
/// context kept them once per event ([`Ctx::audiences`]).
#[cfg(test)]
mod slow {
    use super::*;
    use crate::engine::bundles::{self, REGISTRATION_RESOURCES};
    use crate::policy::Directory;

    impl AppSide {
        fn matches_raw(&self, audience: &str, dir: Option<&Directory>) -> Tri {
            if self.all || self.ids.contains(audience) {
                return Tri::Yes;
            }
            let mut t = Tri::No;
            if self.office365 {
                t = t.or(bundles::office365().membership(audience, dir));
            }
            if self.admin_portals {
                t = t.or(bundles::admin_portals().membership(audience, dir));
            }
            if self.azure_management {
                t = t.or(bundles::azure_management().membership(audience, dir));
            }
            t
        }
    }

    impl ApplicationCond {
        fn audience_match_raw(&self, a: &str, dir: Option<&Directory>) -> Tri {
            let mut inc = self.include.matches_raw(a, dir);
            let mut exc = self.exclude.matches_raw(a, dir);
            if let Some(f) = &self.filter {
                match f.mode {
                    FilterMode::Include => inc = inc.or(f.eval_attributes()),
                    FilterMode::Exclude => exc = exc.or(f.eval_attributes()),
                }
            }
            inc.and(!exc)
        }

        fn resource_access_raw(&self, ctx: &Ctx) -> Check {
            let f = ctx.facts;
            let audiences: Vec<&str> = f
                .resource_id
                .iter()
                .chain(f.extra_audiences.iter())
                .map(|s| s.as_str())
                .filter(|s| !s.trim().is_empty())
                .collect();
            if audiences.is_empty() {
                if self.include.all && self.exclude.is_empty() && self.filter.is_none() {
                    return Check::Yes;
                }
                return Check::Unknown("resource (token audience) unknown".into());
            }
            let t = Tri::any(
                audiences
                    .iter()
                    .map(|a| self.audience_match_raw(a, ctx.dir)),
            );
            let t = self.baseline_scopes(ctx, t);
            if t.is_no() {
                if let Some(why) = self.early_bound(ctx) {
                    return Check::Unknown(why);
                }
                let client_named = f
                    .app_id
                    .as_deref()
                    .is_some_and(|c| self.include.ids.contains(c));
                let why = if client_named {
                    "the policy names the client app, but CA targets the resource (token audience)"
                } else {
                    "resource not included or excluded"
                };
                return Check::No(why.into());
            }
            Check::from_tri(t, || "resource not in scope".into())
        }

        pub(crate) fn eval_raw(&self, ctx: &Ctx) -> Check {
            let is_registration_resource = ctx
                .facts
                .resource_id
                .as_deref()
                .map(|r| bundles::contains(REGISTRATION_RESOURCES, r));
            match ctx.facts.user_action {
                Some(Some(a)) => {
                    if self.include.all {
                        return self.resource_access_raw(ctx);
                    }
                    Check::No(
                        format!(
                            "a specific-resource policy does not apply to the user action {}",
                            a.urn()
                        )
                        .into(),
                    )
                }
                Some(None) => self.resource_access_raw(ctx),
                None => {
                    let r = self.resource_access_raw(ctx);
                    if self.include.all || matches!(r, Check::No(_)) {
                        return r;
                    }
                    match is_registration_resource {
                        Some(false) => r,
                        _ => Check::Unknown(
                            "event may be a user action (registration not identifiable without the ACR list)"
                                .into(),
                        ),
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::engine::context::Ctx;
    use crate::model::{EventFacts, UserAction};
    use proptest::prelude::*;

    /// Ids as policies and logs write them: bundle members and registration endpoints in
    /// either case and with stray spaces, other ids, the special values, blanks.
    fn id() -> impl Strategy<Value = String> {
        let base = prop::sample::select(vec![
            "00000002-0000-0ff1-ce00-000000000000",
            "00000003-0000-0FF1-CE00-000000000000",
            "cc15fd57-2c6c-4117-a88c-83b1d56b4bbe",
            "c44b4083-3bb0-49c1-b47d-974e53cbdf3c",
            "0000000c-0000-0000-c000-000000000000",
            "19db86c3-b2b9-44cc-b339-36da233a3be2",
            "01cb2876-7EBD-4aa4-9cc9-d28bd4d359a9",
            "11111111-aaaa-4bbb-8ccc-000000000001",
            "All",
            "None",
            "Office365",
            "MicrosoftAdminPortals",
            "",
        ]);
        (base, any::<bool>(), any::<bool>()).prop_map(|(b, upper, pad)| {
            let b = if upper {
                b.to_ascii_uppercase()
            } else {
                b.to_string()
            };
            if pad {
                format!(" {b} ")
            } else {
                b
            }
        })
    }

    proptest! {
        /// The condition with the per-event audience memo decides as its slow twin, which
        /// works every audience out per policy from the raw facts.
        #[test]
        fn memoised_audiences_agree_with_the_raw_facts(
            include in prop::collection::vec(id(), 0..4),
            exclude in prop::collection::vec(id(), 0..3),
            resource in prop::option::of(id()),
            extra in prop::collection::vec(id(), 0..3),
            app in prop::option::of(id()),
            action in prop::option::of(prop::option::of(prop::sample::select(vec![
                UserAction::RegisterSecurityInfo,
                UserAction::RegisterDevice,
            ]))),
        ) {
            let mut issues = vec![];
            let mut cx = CompileCx::for_test(&mut issues);
            let apps = Applications {
                include_applications: include,
                exclude_applications: exclude,
                ..Applications::default()
            };
            let facts = EventFacts {
                resource_id: resource,
                extra_audiences: extra,
                app_id: app,
                user_action: action,
                ..EventFacts::default()
            };
            if let Some(c) = compile(Some(&apps), &mut cx) {
                let ctx = Ctx::new(&facts, None);
                prop_assert_eq!(c.eval(&ctx), c.eval_raw(&ctx));
            }
        }
    }

    #[test]
    fn bundle_exclusion_wins() {
        let mut issues = vec![];
        let mut cx = CompileCx::for_test(&mut issues);
        let apps = Applications {
            include_applications: vec!["All".into()],
            exclude_applications: vec!["office365".into()],
            ..Applications::default()
        };
        let facts = crate::model::EventFacts {
            resource_id: Some("00000003-0000-0FF1-CE00-000000000000".into()),
            ..crate::model::EventFacts::default()
        };
        let audiences = Audience::of(&facts, None);
        let c = compile(Some(&apps), &mut cx).map(|c| c.audience_match(&audiences[0]));
        assert_eq!(c, Some(Tri::No));
    }
}
