//! `careplay policies check|lint`: parse, validate, summarise and lint Conditional Access
//! policy files (Graph JSON in any export shape the loader knows).

use super::{CmdResult, EXIT_ERROR, EXIT_OK, EXIT_THRESHOLD};
use careplay::policy::finding::{Finding, Severity, TenantData};
use careplay::policy::load::{FileSummary, LoadedPolicy, Rejection};
use careplay::policy::{lint, load, validate, view, Policy};
use serde_json::json;
use std::io::Write;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(subcommand)]
    pub command: PoliciesCommand,
}

#[derive(clap::Subcommand, Debug)]
pub enum PoliciesCommand {
    /// Parse and validate policies: per-file parsed/rejected counts, rejection messages,
    /// a summary table of the policies and the validation findings (each with its file and JSON
    /// path; README "When input is broken or partial").
    Check(CheckArgs),
    /// Lint policies: validation plus practice rules (emergency-access exclusion, guests
    /// and TAP, strength with external methods, report-only scope, lockout).
    Lint(LintArgs),
}

/// Tenant data for the reference check (V12).
#[derive(clap::Args, Debug, Default)]
pub struct TenantArgs {
    /// Named locations export (file, folder or glob; repeatable).
    #[arg(long = "locations", value_name = "PATH")]
    pub locations: Vec<PathBuf>,
    /// Authentication strengths export (file, folder or glob; repeatable).
    #[arg(long = "strengths", value_name = "PATH")]
    pub strengths: Vec<PathBuf>,
    /// Directory snapshot (users, groups, roles, service principals).
    #[arg(long = "directory", value_name = "FILE")]
    pub directory: Option<PathBuf>,
}

#[derive(clap::Args, Debug)]
pub struct CheckArgs {
    /// Policy files, folders (searched recursively for *.json) or glob patterns.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub tenant: TenantArgs,
    /// Exit 1 on warnings too.
    #[arg(long)]
    pub strict: bool,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Format {
    #[default]
    Text,
    Json,
}

#[derive(clap::Args, Debug)]
pub struct LintArgs {
    /// Policy files, folders (searched recursively for *.json) or glob patterns.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub tenant: TenantArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Exit 1 on warnings too.
    #[arg(long)]
    pub strict: bool,
}

pub fn run(args: &Args, out: &mut dyn Write) -> CmdResult {
    match &args.command {
        PoliciesCommand::Check(a) => check(a, out),
        PoliciesCommand::Lint(a) => lint_cmd(a, out),
    }
}

/// Tenant data, its rejected objects (reported, not fatal) and named-location findings (V11).
type Tenant = (TenantData, Vec<Rejection>, Vec<Finding>);

fn load_tenant(t: &TenantArgs) -> Result<Tenant, Box<dyn std::error::Error>> {
    let mut tenant = TenantData::default();
    let mut rejected = Vec::new();
    let mut findings = Vec::new();
    if !t.locations.is_empty() {
        let l = load::load_named_locations(&t.locations)?;
        findings.extend(validate::validate_locations(&l.locations));
        rejected.extend(l.rejected);
        tenant.locations = Some(l.locations.into_iter().map(|l| l.location).collect());
    }
    if !t.strengths.is_empty() {
        let s = load::load_strengths(&t.strengths)?;
        rejected.extend(s.rejected);
        tenant.strengths = Some(s.strengths.into_iter().map(|s| s.strength).collect());
    }
    if let Some(d) = &t.directory {
        tenant.directory = Some(load::load_directory(d)?);
    }
    Ok((tenant, rejected, findings))
}

fn exit_code(rejections: usize, findings: &[Finding], strict: bool) -> u8 {
    let failing = findings
        .iter()
        .any(|f| f.severity == Severity::Error || (strict && f.severity == Severity::Warning));
    if rejections > 0 || failing {
        EXIT_THRESHOLD
    } else {
        EXIT_OK
    }
}

fn check(a: &CheckArgs, out: &mut dyn Write) -> CmdResult {
    let loaded = load::load_policies(&a.paths)?;
    let (tenant, tenant_rejected, mut findings) = load_tenant(&a.tenant)?;
    findings.extend(validate::validate(&loaded.policies, &tenant));

    writeln!(out, "Files ({})", loaded.files_read)?;
    writeln!(out, "  {:>6}  {:>8}  file", "parsed", "rejected")?;
    for FileSummary {
        path,
        parsed,
        rejected,
    } in &loaded.files
    {
        writeln!(out, "  {parsed:>6}  {rejected:>8}  {}", path.display())?;
    }
    let all_rejected: Vec<&Rejection> = loaded.rejected.iter().chain(&tenant_rejected).collect();
    if !all_rejected.is_empty() {
        writeln!(out, "\nRejected ({})", all_rejected.len())?;
        for r in &all_rejected {
            writeln!(out, "  {r}")?;
        }
    }
    if !loaded.policies.is_empty() {
        writeln!(out, "\nPolicies ({})", loaded.policies.len())?;
        policy_table(&loaded.policies, out)?;
    }
    if !findings.is_empty() {
        writeln!(out, "\nFindings ({})", findings.len())?;
        for f in &findings {
            writeln!(
                out,
                "  {} {} [{}] {:?}: {}",
                f.severity, f.code, f.rule, f.subject, f.message
            )?;
            writeln!(out, "      at {}", f.origin)?;
        }
    }
    let (errors, warnings) = count(&findings);
    writeln!(
        out,
        "\n{} file(s), {} polic{} parsed, {} rejected; {errors} error(s), {warnings} warning(s)",
        loaded.files_read,
        loaded.policies.len(),
        if loaded.policies.len() == 1 {
            "y"
        } else {
            "ies"
        },
        loaded.rejected.len(),
    )?;
    if loaded.policies.is_empty() {
        writeln!(out, "no policy could be read")?;
        return Ok(EXIT_ERROR);
    }
    Ok(exit_code(all_rejected.len(), &findings, a.strict))
}

fn lint_cmd(a: &LintArgs, out: &mut dyn Write) -> CmdResult {
    let loaded = load::load_policies(&a.paths)?;
    let (tenant, tenant_rejected, mut findings) = load_tenant(&a.tenant)?;
    findings.extend(lint::lint(&loaded.policies, &tenant));
    let rejected: Vec<&Rejection> = loaded.rejected.iter().chain(&tenant_rejected).collect();
    let (errors, warnings) = count(&findings);
    match a.format {
        Format::Json => {
            let doc = json!({
                "files": loaded.files.iter().map(|f| json!({
                    "path": f.path.display().to_string(), "parsed": f.parsed, "rejected": f.rejected,
                })).collect::<Vec<_>>(),
                "rejected": rejected.iter().map(|r| json!({
                    "file": r.origin.file.as_ref().map(|p| p.display().to_string()),
                    "line": r.origin.line, "jsonPath": r.origin.json_path, "message": r.message,
                })).collect::<Vec<_>>(),
                "findings": findings.iter().map(|f| json!({
                    "code": f.code, "rule": f.rule, "severity": f.severity, "policy": f.subject,
                    "file": f.origin.file.as_ref().map(|p| p.display().to_string()),
                    "line": f.origin.line, "jsonPath": f.origin.json_path, "message": f.message,
                })).collect::<Vec<_>>(),
                "summary": {"files": loaded.files_read, "policies": loaded.policies.len(),
                            "rejected": rejected.len(), "errors": errors, "warnings": warnings},
            });
            writeln!(out, "{}", serde_json::to_string_pretty(&doc)?)?;
        }
        Format::Text => {
            for r in &rejected {
                writeln!(out, "{}: rejected: {}", r.origin, r.message)?;
            }
            for f in &findings {
                writeln!(
                    out,
                    "{}: {} {} [{}] {:?}: {}",
                    f.origin, f.severity, f.code, f.rule, f.subject, f.message
                )?;
            }
            writeln!(
                out,
                "{} polic{} linted, {} rejected; {errors} error(s), {warnings} warning(s)",
                loaded.policies.len(),
                if loaded.policies.len() == 1 {
                    "y"
                } else {
                    "ies"
                },
                rejected.len()
            )?;
        }
    }
    if loaded.policies.is_empty() {
        return Ok(EXIT_ERROR);
    }
    Ok(exit_code(rejected.len(), &findings, a.strict))
}

fn count(findings: &[Finding]) -> (usize, usize) {
    let e = findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    let w = findings
        .iter()
        .filter(|f| f.severity == Severity::Warning)
        .count();
    (e, w)
}

fn policy_table(policies: &[LoadedPolicy], out: &mut dyn Write) -> std::io::Result<()> {
    let rows: Vec<[String; 5]> = policies
        .iter()
        .map(|lp| {
            let p = &lp.policy;
            [
                clip(&lp.label(), 48),
                state_label(p).to_string(),
                clip(&users_label(p), 36),
                clip(&apps_label(p), 32),
                clip(&grant_label(p), 40),
            ]
        })
        .collect();
    let head = ["name", "state", "users", "resources", "grant"];
    let mut w = head.map(|h| h.chars().count());
    for r in &rows {
        for (i, c) in r.iter().enumerate() {
            w[i] = w[i].max(c.chars().count());
        }
    }
    let line = |cells: [&str; 5]| {
        let mut s = String::from(" ");
        for (i, c) in cells.iter().enumerate() {
            s.push(' ');
            s.push_str(c);
            if i < 4 {
                s.push_str(&" ".repeat(w[i] - c.chars().count() + 1));
            }
        }
        s.trim_end().to_string()
    };
    writeln!(out, "{}", line(head))?;
    for r in &rows {
        writeln!(out, "{}", line([&r[0], &r[1], &r[2], &r[3], &r[4]]))?;
    }
    Ok(())
}

fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n - 1).collect();
        t.push('…');
        t
    }
}

fn state_label(p: &Policy) -> &'static str {
    match view::state(p) {
        view::State::On => "on",
        view::State::Off => "off",
        view::State::ReportOnly => "report-only",
        view::State::Other => "?",
    }
}

fn plural(n: usize, one: &str) -> String {
    format!("{n} {one}{}", if n == 1 { "" } else { "s" })
}

fn users_label(p: &Policy) -> String {
    if let Some(ca) = view::client_apps(p) {
        if !ca.include_service_principals.is_empty() || ca.service_principal_filter.is_some() {
            return format!(
                "workload: {}",
                plural(ca.include_service_principals.len(), "SP")
            );
        }
    }
    let Some(u) = view::users(p) else {
        return "-".into();
    };
    let mut inc = Vec::new();
    if view::has(&u.include_users, "All") {
        inc.push("All".to_string());
    } else if view::has(&u.include_users, "None") {
        inc.push("None".to_string());
    } else {
        let ids = u
            .include_users
            .iter()
            .filter(|x| !x.eq_ignore_ascii_case("GuestsOrExternalUsers"))
            .count();
        if ids > 0 {
            inc.push(plural(ids, "user"));
        }
    }
    if !u.include_groups.is_empty() {
        inc.push(plural(u.include_groups.len(), "group"));
    }
    if !u.include_roles.is_empty() {
        inc.push(plural(u.include_roles.len(), "role"));
    }
    let guest_types = u
        .include_guests_or_external_users
        .as_ref()
        .is_some_and(|g| !g.guest_or_external_user_types.0.is_empty());
    if view::has(&u.include_users, "GuestsOrExternalUsers") || guest_types {
        inc.push("guests".into());
    }
    let mut exc = Vec::new();
    let ex_ids = u
        .exclude_users
        .iter()
        .filter(|x| !x.eq_ignore_ascii_case("GuestsOrExternalUsers"))
        .count();
    if ex_ids > 0 {
        exc.push(plural(ex_ids, "user"));
    }
    if !u.exclude_groups.is_empty() {
        exc.push(plural(u.exclude_groups.len(), "group"));
    }
    if !u.exclude_roles.is_empty() {
        exc.push(plural(u.exclude_roles.len(), "role"));
    }
    if view::has(&u.exclude_users, "GuestsOrExternalUsers")
        || u.exclude_guests_or_external_users.is_some()
    {
        exc.push("guests".into());
    }
    let mut s = if inc.is_empty() {
        "nobody".to_string()
    } else {
        inc.join(", ")
    };
    if !exc.is_empty() {
        s.push_str(&format!(" −{}", exc.join(", ")));
    }
    s
}

fn apps_label(p: &Policy) -> String {
    let Some(a) = view::apps(p) else {
        return "-".into();
    };
    if !a.include_user_actions.is_empty() {
        let names: Vec<&str> = a
            .include_user_actions
            .iter()
            .map(|x| x.rsplit(':').next().unwrap_or(x))
            .collect();
        return format!("action {}", names.join(", "));
    }
    if !a.include_authentication_context_class_references.is_empty() {
        return format!(
            "auth context {}",
            a.include_authentication_context_class_references.join(", ")
        );
    }
    let ids = a.include_applications.iter().filter(|x| {
        !["All", "None", "Office365", "MicrosoftAdminPortals"]
            .iter()
            .any(|k| k.eq_ignore_ascii_case(x))
    });
    let mut inc: Vec<String> = a
        .include_applications
        .iter()
        .filter(|x| {
            ["All", "None", "Office365", "MicrosoftAdminPortals"]
                .iter()
                .any(|k| k.eq_ignore_ascii_case(x))
        })
        .cloned()
        .collect();
    let n = ids.count();
    if n > 0 {
        inc.push(plural(n, "app"));
    }
    let mut s = if inc.is_empty() {
        "none".to_string()
    } else {
        inc.join(", ")
    };
    if !a.exclude_applications.is_empty() {
        s.push_str(&format!(
            " −{}",
            plural(a.exclude_applications.len(), "app")
        ));
    }
    s
}

fn grant_label(p: &Policy) -> String {
    let Some(g) = view::grant(p) else {
        return if p.session_controls.is_some() {
            "session only".into()
        } else {
            "-".into()
        };
    };
    let mut parts: Vec<String> = g.built_in_controls.clone();
    if let Some(s) = &g.authentication_strength {
        let name = s
            .display_name
            .clone()
            .or_else(|| builtin_strength_name(s.id.as_deref()))
            .or_else(|| s.id.clone())
            .unwrap_or_else(|| "?".into());
        parts.push(format!("strength \"{name}\""));
    }
    if !g.terms_of_use.is_empty() {
        parts.push(plural(g.terms_of_use.len(), "ToU"));
    }
    if !g.custom_authentication_factors.is_empty() {
        parts.push(plural(
            g.custom_authentication_factors.len(),
            "custom control",
        ));
    }
    if parts.is_empty() {
        return if p.session_controls.is_some() {
            "session only".into()
        } else {
            "none".into()
        };
    }
    let op = g.operator.as_deref().unwrap_or("AND").to_ascii_uppercase();
    parts.join(&format!(" {op} "))
}

/// Display name of a built-in strength id (the bundled built-ins, src/policy/strengths.rs).
fn builtin_strength_name(id: Option<&str>) -> Option<String> {
    let id = id?.trim();
    careplay::policy::builtin_strengths()
        .into_iter()
        .find(|b| b.id.as_deref().is_some_and(|b| b.eq_ignore_ascii_case(id)))
        .and_then(|b| b.display_name)
}
