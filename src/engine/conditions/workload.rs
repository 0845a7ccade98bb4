//! Workload identities condition (evaluation.md §3.1, §3.3): single-tenant service
//! principals owned by this tenant; never managed identities, never users. Also the agent
//! identities scope (`includeAgentIdServicePrincipals`, `excludeAgentIdServicePrincipals`,
//! `agentIdServicePrincipalFilter`: Graph beta conditionalAccessClientApplications): an
//! agent identity is governed by agent-identity scopes only, and only agent identities
//! match them (agent-id.md "Application only access flow": policies "are scoped to the
//! agent identity"; howto-target-agent-identities.md "Assignments").

use super::{include_exclude, Check};
use crate::engine::compile::CompileCx;
use crate::engine::context::{Ctx, PrincipalKind};
use crate::engine::device_filter::{FilterMode, RuleFilter};
use crate::engine::ids::{is, IdSet};
use crate::model::Tri;
use crate::policy::ClientApplications;

#[derive(Debug, PartialEq)]
pub struct WorkloadCond {
    all_in_tenant: bool,
    include: IdSet,
    exclude: IdSet,
    filter: Option<RuleFilter>,
    /// Ordinary service principals are targeted (include ids / in-tenant / filter).
    ordinary: bool,
    agents: Option<AgentScope>,
}

/// The agent-identities scope of a policy.
#[derive(Debug, Default, PartialEq)]
struct AgentScope {
    all: bool,
    include: IdSet,
    exclude: IdSet,
    filter: Option<RuleFilter>,
}

/// `None` when `clientApplications` is not configured (not a workload-identity policy).
pub(crate) fn compile(c: Option<&ClientApplications>, cx: &mut CompileCx) -> Option<WorkloadCond> {
    let c = c?;
    let ordinary = !(c.include_service_principals.is_empty()
        && c.exclude_service_principals.is_empty()
        && c.service_principal_filter.is_none());
    let agentic = !(c.include_agent_id_service_principals.is_empty()
        && c.exclude_agent_id_service_principals.is_empty()
        && c.agent_id_service_principal_filter.is_none());
    if !ordinary && !agentic {
        return None;
    }
    let mut w = WorkloadCond {
        all_in_tenant: false,
        include: IdSet::default(),
        exclude: IdSet::default(),
        filter: None,
        ordinary,
        agents: None,
    };
    if agentic {
        let mut a = AgentScope::default();
        for s in &c.include_agent_id_service_principals {
            if is(s, "All") {
                a.all = true;
            } else if !is(s, "None") {
                a.include.insert(s);
            }
        }
        c.exclude_agent_id_service_principals
            .iter()
            .for_each(|s| a.exclude.insert(s));
        if let Some(f) = &c.agent_id_service_principal_filter {
            a.filter = RuleFilter::compile_attribute_filter(f, "agentIdServicePrincipalFilter", cx);
        }
        w.agents = Some(a);
    }
    for s in &c.include_service_principals {
        if is(s, "ServicePrincipalsInMyTenant") {
            w.all_in_tenant = true;
        } else {
            w.include.insert(s);
        }
    }
    c.exclude_service_principals
        .iter()
        .for_each(|s| w.exclude.insert(s));
    if let Some(f) = &c.service_principal_filter {
        w.filter = RuleFilter::compile_attribute_filter(f, "servicePrincipalFilter", cx);
    }
    Some(w)
}

impl WorkloadCond {
    pub fn eval(&self, ctx: &Ctx) -> Check {
        match ctx.principal() {
            PrincipalKind::ServicePrincipal => {}
            PrincipalKind::User => {
                return Check::No("workload-identity policy; the principal is a user".into())
            }
            PrincipalKind::ManagedIdentity => {
                return Check::No("managed identities are outside Conditional Access".into())
            }
            PrincipalKind::Unknown => return Check::Unknown("principal kind unknown".into()),
        }
        let is_agent = ctx.agent_identity();
        let agent = self.agents.as_ref().map(|a| a.eval(ctx, is_agent.clone()));
        if !self.ordinary {
            return agent.unwrap_or_else(|| Check::No("no service principal targeted".into()));
        }
        // An agent identity is not an ordinary workload identity. A service principal the
        // log does not mark as an agent is taken as ordinary (the beta `agent` field is
        // missing from v1.0 and older exports): only agent scopes are Unknown without it.
        let ordinary = if is_agent.is_yes() {
            Check::No("agent identities are targeted only by agent-identity scopes".into())
        } else {
            self.eval_ordinary(ctx)
        };
        match agent {
            None => ordinary,
            // Either scope of the policy may take the event.
            Some(a) => match (ordinary, a) {
                (Check::Yes, _) | (_, Check::Yes) => Check::Yes,
                (Check::Unknown(r), _) | (_, Check::Unknown(r)) => Check::Unknown(r),
                (Check::No(r), Check::No(_)) => Check::No(r),
            },
        }
    }

    fn eval_ordinary(&self, ctx: &Ctx) -> Check {
        match ctx.principal() {
            PrincipalKind::ServicePrincipal => {}
            PrincipalKind::User => {
                return Check::No("workload-identity policy; the principal is a user".into())
            }
            PrincipalKind::ManagedIdentity => {
                return Check::No("managed identities are outside Conditional Access".into())
            }
            PrincipalKind::Unknown => return Check::Unknown("principal kind unknown".into()),
        }
        let sp_id = ctx.facts.service_principal_id.as_deref();
        // Third-party / multi-tenant service principals are out of scope (§3.1).
        let in_tenant = ctx.facts.service_principal_in_tenant.or_else(|| {
            let d = ctx.dir?;
            let sp = d.service_principal(sp_id?)?;
            let owner = sp.app_owner_organization_id.as_deref()?;
            Some(owner.trim().eq_ignore_ascii_case(d.tenant_id.as_deref()?))
        });
        match in_tenant {
            Some(false) => {
                return Check::No(
                    "service principal of a multi-tenant or third-party app is out of scope".into(),
                )
            }
            None => {
                return Check::Unknown(
                    "whether the service principal is owned by this tenant".into(),
                )
            }
            Some(true) => {}
        }
        let (inc, exc) = id_scope(
            self.all_in_tenant,
            &self.include,
            &self.exclude,
            self.filter.as_ref(),
            sp_id,
        );
        include_exclude!(inc, exc, "service principal")
    }
}

/// The include and exclude sides of a service-principal scope (`All`, id lists, a
/// custom-security-attribute filter): one shape for ordinary workload identities and
/// for agent identities.
fn id_scope(
    all: bool,
    include: &IdSet,
    exclude: &IdSet,
    filter: Option<&RuleFilter>,
    sp_id: Option<&str>,
) -> (Tri, Tri) {
    let id_match = |set: &IdSet| match sp_id {
        Some(id) => Tri::from_bool(set.contains(id)),
        None => Tri::unknown("service principal id unknown"),
    };
    let mut inc = vec![Tri::from_bool(all)];
    if !include.is_empty() {
        inc.push(id_match(include));
    }
    let mut exc = vec![];
    if !exclude.is_empty() {
        exc.push(id_match(exclude));
    }
    if let Some(f) = filter {
        // Custom security attributes are not in sign-in logs: the rule is Unknown.
        let r = f.eval_attributes();
        match f.mode {
            FilterMode::Include => inc.push(r),
            FilterMode::Exclude => exc.push(r),
        }
    }
    (Tri::any(inc), Tri::any(exc))
}

impl AgentScope {
    fn eval(&self, ctx: &Ctx, is_agent: Tri) -> Check {
        let sp_id = ctx.facts.service_principal_id.as_deref();
        let (inc, exc) = id_scope(
            self.all,
            &self.include,
            &self.exclude,
            self.filter.as_ref(),
            sp_id,
        );
        include_exclude!(is_agent.and(inc), exc, "agent identity",)
    }
}
