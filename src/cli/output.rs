//! Output files (`-o`, `--events-out`, `logs convert -o`): checked before any input is
//! read, written to a temporary file in the target's folder, and renamed over the target
//! only when complete. A failed or interrupted run leaves no half-written report under the
//! target's name, a path that cannot be written fails before a long replay instead of
//! after it, and an output never overwrites one of the run's own inputs.

use std::fs::File;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error(
        "{output}: refusing to write over an input of this run ({input}); choose another output path"
    )]
    OverInput { output: PathBuf, input: PathBuf },
    #[error("{output}: cannot write the output: folder {folder} does not exist")]
    NoFolder { output: PathBuf, folder: PathBuf },
    #[error("{output}: cannot write the output: {message}")]
    Unwritable { output: PathBuf, message: String },
}

/// The same path given for two outputs of one run (`-o` and `--events-out`).
pub fn distinct(a: &Path, b: &Path) -> Result<(), OutputError> {
    let same = a == b
        || match (a.canonicalize(), b.canonicalize()) {
            (Ok(x), Ok(y)) => x == y,
            _ => false,
        };
    if same {
        return Err(OutputError::Unwritable {
            output: a.to_path_buf(),
            message: "given for two outputs of this run".to_string(),
        });
    }
    Ok(())
}

/// `--format csv -o DIR/`: a folder that gets one CSV per table, each written as an
/// [`OutputFile`] (complete or not at all).
pub struct CsvDir {
    dir: PathBuf,
}

/// The file a previous `-o DIR/` run always writes: its presence marks the folder as
/// careplay's, whose other CSV files a new run may replace.
const CSV_DIR_MARK: &str = "headline.csv";

impl CsvDir {
    /// Whether `target` names a folder: an existing one, or a path ending in a separator.
    pub fn wanted(target: &Path) -> bool {
        target.is_dir() || target.as_os_str().to_string_lossy().ends_with(['/', '\\'])
    }

    /// Check the folder against the run's inputs and create it if missing (its parent
    /// must exist), before any input is read.
    pub fn prepare(target: &Path, inputs: &[PathBuf]) -> Result<CsvDir, OutputError> {
        if let Some(input) = input_at(target, inputs) {
            return Err(OutputError::OverInput {
                output: target.to_path_buf(),
                input,
            });
        }
        if !target.is_dir() {
            let parent = match target.parent() {
                Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
                _ => PathBuf::from("."),
            };
            if !parent.is_dir() {
                return Err(OutputError::NoFolder {
                    output: target.to_path_buf(),
                    folder: parent,
                });
            }
            std::fs::create_dir(target).map_err(|e| OutputError::Unwritable {
                output: target.to_path_buf(),
                message: e.to_string(),
            })?;
        }
        Ok(CsvDir {
            dir: target.to_path_buf(),
        })
    }

    /// Write each (file name, bytes). In a folder a previous run wrote (it holds
    /// `headline.csv`), CSV files this run does not write (a table the new report lacks)
    /// are removed, so the folder never mixes two runs; other files are left alone.
    pub fn write(
        &self,
        tables: &[(String, Vec<u8>)],
        inputs: &[PathBuf],
    ) -> Result<(), OutputError> {
        let ours = self.dir.join(CSV_DIR_MARK).is_file();
        for (name, bytes) in tables {
            let file = OutputFile::prepare(&self.dir.join(name), inputs)?;
            std::fs::write(file.path(), bytes).map_err(|e| file.unwritable(e))?;
            file.commit()?;
        }
        if ours {
            let entries = std::fs::read_dir(&self.dir).map_err(|e| OutputError::Unwritable {
                output: self.dir.clone(),
                message: e.to_string(),
            })?;
            for e in entries.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                if name.ends_with(".csv") && !tables.iter().any(|(n, _)| *n == name) {
                    let _ = std::fs::remove_file(e.path());
                }
            }
        }
        Ok(())
    }
}

/// A prepared output: the temporary file exists and is writable.
pub struct OutputFile {
    target: PathBuf,
    temp: tempfile::NamedTempFile,
}

impl OutputFile {
    /// Check `target` against the run's `inputs` (files, folders or glob patterns, as
    /// given) and create the temporary file beside it.
    pub fn prepare(target: &Path, inputs: &[PathBuf]) -> Result<OutputFile, OutputError> {
        if let Some(input) = input_at(target, inputs) {
            return Err(OutputError::OverInput {
                output: target.to_path_buf(),
                input,
            });
        }
        if target.is_dir() {
            return Err(OutputError::Unwritable {
                output: target.to_path_buf(),
                message: "it is a folder".to_string(),
            });
        }
        let folder = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        if !folder.is_dir() {
            return Err(OutputError::NoFolder {
                output: target.to_path_buf(),
                folder,
            });
        }
        // The temporary name ends with the target's own name, so writers that pick a
        // format by extension (`--events-out x.parquet`) see the same extension.
        let name = target
            .file_name()
            .map(|n| format!("-{}", n.to_string_lossy()))
            .unwrap_or_default();
        let temp = tempfile::Builder::new()
            .prefix(".careplay-")
            .suffix(&name)
            .tempfile_in(&folder)
            .map_err(|e| OutputError::Unwritable {
                output: target.to_path_buf(),
                message: e.to_string(),
            })?;
        Ok(OutputFile {
            target: target.to_path_buf(),
            temp,
        })
    }

    /// Where to write (the temporary file).
    pub fn path(&self) -> &Path {
        self.temp.path()
    }

    /// A handle on the temporary file.
    pub fn file(&self) -> Result<File, OutputError> {
        self.temp.reopen().map_err(|e| self.unwritable(e))
    }

    /// Move the finished file over the target.
    pub fn commit(self) -> Result<(), OutputError> {
        let target = self.target.clone();
        self.temp
            .persist(&target)
            .map(|_| ())
            .map_err(|e| OutputError::Unwritable {
                output: target,
                message: e.error.to_string(),
            })
    }

    fn unwritable(&self, e: std::io::Error) -> OutputError {
        OutputError::Unwritable {
            output: self.target.clone(),
            message: e.to_string(),
        }
    }
}

/// The input that `target` would overwrite: an input file that is the same file (by
/// identity, so hard links, symlinks and `./` spellings count), or an input folder that
/// holds the existing target under a name the sign-in loader reads from folders (the
/// policy loader's `*.json` is among those names).
fn input_at(target: &Path, inputs: &[PathBuf]) -> Option<PathBuf> {
    if !target.exists() {
        return None;
    }
    let target_real = target.canonicalize().ok()?;
    super::replay::expand(inputs).into_iter().find(|p| {
        p.canonicalize().is_ok_and(|real| {
            if real.is_dir() {
                let read = careplay::walk::has_extension(
                    &target_real,
                    careplay::signin::source::FOLDER_EXTS,
                );
                read && target_real.starts_with(&real)
            } else {
                same_file(&real, &target_real)
            }
        })
    })
}

#[cfg(unix)]
fn same_file(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (a.metadata(), b.metadata()) {
        (Ok(x), Ok(y)) => x.dev() == y.dev() && x.ino() == y.ino(),
        _ => a == b,
    }
}

#[cfg(not(unix))]
fn same_file(a: &Path, b: &Path) -> bool {
    a == b
}
