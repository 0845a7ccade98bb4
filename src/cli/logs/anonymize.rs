//! `careplay logs anonymize IN... -o OUT --tenant TENANT_DIR`: the canonical rows of the
//! inputs with consistent pseudonyms (`careplay::anonymize`), written by `logs convert`'s
//! writer; optionally the tenant's directory snapshot and policies rewritten with the same
//! pseudonyms, so a replay of the copy gives the same answer.

use std::io::Write;
use std::path::{Path, PathBuf};

use careplay::anonymize::{Anonymizer, IpMap, Key, KeySource, Stats};
use careplay::policy;
use careplay::replay::{Overrides, TenantPaths};
use careplay::signin::Format;

use super::super::output::OutputFile;
use super::{Canonical, OutFormat};

/// Where the key goes when `--key-file` is not given.
const DEFAULT_KEY_FILE: &str = "careplay-anonymize.key";

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Exit codes: 0 ok; 2 usage or input error (unreadable input, key file or tenant file).\n\
Example: careplay logs anonymize datasets/seed-registration/signins --tenant datasets/seed-registration \\\n  -o anon/signins.parquet --directory-out anon/directory.json --policies-out anon/policies --key-file ~/seed.key"
)]
pub struct AnonymizeArgs {
    /// Sign-in export files, folders or globs (any format the loader reads).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Output file (canonical rows).
    #[arg(short = 'o', long = "output")]
    pub output: PathBuf,
    /// Output format (default: from the extension of -o; .ndjson/.jsonl/.json = NDJSON,
    /// anything else Parquet).
    #[arg(long, value_enum)]
    pub to: Option<OutFormat>,
    /// Tenant folder: namedLocations.json keeps each IP inside its named ranges;
    /// directory.json and policies/ are the sources of --directory-out and --policies-out.
    #[arg(long = "tenant", value_name = "TENANT_DIR")]
    pub tenant: PathBuf,
    /// Write the tenant's directory snapshot with the same pseudonyms to FILE.
    #[arg(long = "directory-out", value_name = "FILE")]
    pub directory_out: Option<PathBuf>,
    /// Write the tenant's policies with the user ids they name rewritten to DIR (needed
    /// when policies include or exclude users by id, e.g. break-glass accounts).
    #[arg(long = "policies-out", value_name = "DIR")]
    pub policies_out: Option<PathBuf>,
    /// Secret key file (64 hex digits). Created with a new random key when it does not
    /// exist; give the same file to every later run so pseudonyms stay consistent. Keep
    /// it out of the repository that holds the anonymized copy.
    #[arg(long = "key-file", value_name = "FILE", default_value = DEFAULT_KEY_FILE)]
    pub key_file: PathBuf,
    /// Keep request ids as they are (default: pseudonyms), e.g. to look events up in the
    /// original tenant later.
    #[arg(long)]
    pub keep_request_ids: bool,
    /// Force the input format instead of detecting it from content.
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Rows per batch (duplicates are resolved within a batch, as in `logs convert`).
    #[arg(long, default_value_t = 500_000)]
    pub batch_rows: usize,
}

#[derive(Debug, thiserror::Error)]
enum TenantError {
    #[error("{tenant}: no {what} in the tenant folder ({flag} rewrites it)")]
    Missing {
        tenant: PathBuf,
        what: &'static str,
        flag: &'static str,
    },
    #[error("{path}: {message}")]
    Policy { path: PathBuf, message: String },
}

pub fn run(a: &AnonymizeArgs, quiet: bool, out: &mut dyn Write) -> super::super::CmdResult {
    let tenant = TenantPaths::resolve(Some(&a.tenant), &Overrides::default());
    let mut inputs = a.paths.clone();
    inputs.push(a.tenant.clone());
    inputs.push(a.key_file.clone());
    // Every output is checked before anything is read or written.
    let logs_out = OutputFile::prepare(&a.output, &inputs)?;
    let dir_out = match &a.directory_out {
        Some(p) => {
            super::super::output::distinct(p, &a.output)?;
            if tenant.directory.is_empty() {
                return Err(TenantError::Missing {
                    tenant: a.tenant.clone(),
                    what: "directory.json",
                    flag: "--directory-out",
                }
                .into());
            }
            Some((OutputFile::prepare(p, &inputs)?, p))
        }
        None => None,
    };
    let policy_files = if tenant.policies.is_empty() {
        Vec::new()
    } else {
        policy::load::source::expand_paths(&tenant.policies)?
    };
    if a.policies_out.is_some() && policy_files.is_empty() {
        return Err(TenantError::Missing {
            tenant: a.tenant.clone(),
            what: "policies",
            flag: "--policies-out",
        }
        .into());
    }

    let (key, source) = Key::load_or_create(&a.key_file)?;
    if source == KeySource::Created {
        eprintln!(
            "careplay: wrote a new secret key to {}: give it to later runs (--key-file) so \
             pseudonyms stay consistent, and never share or commit it",
            a.key_file.display()
        );
    }
    let nets = if tenant.locations.is_empty() {
        eprintln!(
            "careplay: warning: {} has no namedLocations.json: every IP maps inside its own \
             /16 (IPv6 /32), which cannot avoid ranges the tenant does not list",
            a.tenant.display()
        );
        Vec::new()
    } else {
        let loaded = policy::load_named_locations(&tenant.locations)?;
        if let Some(r) = loaded.rejected.first() {
            return Err(TenantError::Policy {
                path: PathBuf::from(r.origin.to_string()),
                message: r.message.clone(),
            }
            .into());
        }
        loaded
            .locations
            .iter()
            .flat_map(|l| l.location.networks())
            .collect()
    };
    let anon = Anonymizer::new(key, IpMap::new(nets), a.keep_request_ids);

    // Policies first: small, and a device filter that reads a rewritten value is worth a
    // warning before a long run.
    let mut policies = Vec::new();
    for f in &policy_files {
        let text = std::fs::read_to_string(f).map_err(|e| TenantError::Policy {
            path: f.clone(),
            message: format!("cannot read: {e}"),
        })?;
        let mut docs = Vec::new();
        for v in serde_json::Deserializer::from_str(&text).into_iter::<serde_json::Value>() {
            let mut v = v.map_err(|e| TenantError::Policy {
                path: f.clone(),
                message: format!("not JSON: {e}"),
            })?;
            for w in anon.policy_json(&mut v) {
                eprintln!(
                    "careplay: warning: {}: {w}: this device filter reads a device id, name \
                     or physical id, which the copy holds as pseudonyms: its answer can change",
                    f.display()
                );
            }
            docs.push(v);
        }
        policies.push((f, docs));
    }

    let to = a.to.unwrap_or_else(|| by_extension(&a.output));
    let canonical = Canonical {
        paths: &a.paths,
        format: a.format,
        to,
        batch_rows: a.batch_rows,
        row_group_rows: careplay::report::events::PARQUET_BATCH_ROWS as u64,
        quiet,
    };
    let mut stats = Stats::default();
    let (written, ledger) =
        canonical.write(&logs_out, &a.output, &mut |r| anon.record(r, &mut stats))?;

    let directory = match dir_out {
        Some((file, path)) => {
            let src = tenant.directory.first().cloned().unwrap_or_default();
            let mut d = policy::load::directory::load_directory_file(&src)?;
            anon.directory(&mut d);
            let mut w = std::io::BufWriter::new(file.file()?);
            serde_json::to_writer_pretty(&mut w, &d)?;
            writeln!(w)?;
            w.flush()?;
            drop(w);
            Some((file, path, d.users.len()))
        }
        None => None,
    };
    let policy_outs = match &a.policies_out {
        Some(dir) => write_policies(dir, &tenant, &policies, &inputs)?,
        None => Vec::new(),
    };

    // Everything written: now move it into place.
    logs_out.commit()?;
    super::summary(out, written, &a.output, &ledger)?;
    if let Some((file, path, users)) = directory {
        file.commit()?;
        writeln!(
            out,
            "wrote the directory snapshot ({users} user(s)) to {}",
            path.display()
        )?;
    }
    let n = policy_outs.len();
    for f in policy_outs {
        f.commit()?;
    }
    if let Some(dir) = &a.policies_out {
        writeln!(out, "wrote {n} policy file(s) to {}", dir.display())?;
    }
    for ip in &stats.ips_kept {
        eprintln!(
            "careplay: warning: kept IP {ip}: it is the only address of a named range \
             (already in namedLocations.json)"
        );
    }
    Ok(super::super::EXIT_OK)
}

fn by_extension(p: &Path) -> OutFormat {
    let ext = p
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("ndjson" | "jsonl" | "json") => OutFormat::Ndjson,
        _ => OutFormat::Parquet,
    }
}

/// Prepare one output per policy file under `dir`, at its path below the policies folder.
fn write_policies(
    dir: &Path,
    tenant: &TenantPaths,
    policies: &[(&PathBuf, Vec<serde_json::Value>)],
    inputs: &[PathBuf],
) -> Result<Vec<OutputFile>, Box<dyn std::error::Error>> {
    std::fs::create_dir_all(dir).map_err(|e| TenantError::Policy {
        path: dir.to_path_buf(),
        message: format!("cannot create the folder: {e}"),
    })?;
    let roots: Vec<&PathBuf> = tenant.policies.iter().filter(|p| p.is_dir()).collect();
    let mut outs = Vec::new();
    for (f, docs) in policies {
        let rel = roots
            .iter()
            .find_map(|r| f.strip_prefix(r).ok())
            .map(Path::to_path_buf)
            .or_else(|| f.file_name().map(PathBuf::from))
            .unwrap_or_else(|| PathBuf::from("policy.json"));
        let target = dir.join(rel);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|e| TenantError::Policy {
                path: parent.to_path_buf(),
                message: format!("cannot create the folder: {e}"),
            })?;
        }
        let file = OutputFile::prepare(&target, inputs)?;
        let mut w = std::io::BufWriter::new(file.file()?);
        for d in docs {
            serde_json::to_writer_pretty(&mut w, d)?;
            writeln!(w)?;
        }
        w.flush()?;
        drop(w);
        outs.push(file);
    }
    Ok(outs)
}
