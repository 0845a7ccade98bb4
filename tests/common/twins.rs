//! Differential harness for fast paths and their slow twins, as cedar's differential
//! tests do it: one table of implementations run over one list of inputs, every output
//! compared with the reference implementation's (the simplest, slowest path). A new fast
//! path is one more row of the table, checked on every input; a new input is checked by
//! every path.

/// One implementation in the table.
pub struct Twin<'a, I, O> {
    pub name: &'a str,
    run: Box<dyn Fn(&I) -> O + 'a>,
    /// What this twin must give, derived from the input and the reference's output
    /// (default: the reference's output).
    expect: Option<Box<dyn Fn(&I, &O) -> O + 'a>>,
    /// Further properties of this twin's output (input, reference output, own output),
    /// e.g. "evaluates fewer keys than events".
    also: Option<Box<dyn Fn(&I, &O, &O) -> Result<(), String> + 'a>>,
}

impl<'a, I, O> Twin<'a, I, O> {
    pub fn new(name: &'a str, run: impl Fn(&I) -> O + 'a) -> Self {
        Twin {
            name,
            run: Box::new(run),
            expect: None,
            also: None,
        }
    }

    pub fn expect(mut self, f: impl Fn(&I, &O) -> O + 'a) -> Self {
        self.expect = Some(Box::new(f));
        self
    }

    pub fn also(mut self, f: impl Fn(&I, &O, &O) -> Result<(), String> + 'a) -> Self {
        self.also = Some(Box::new(f));
        self
    }
}

/// Run `reference` and every twin on every input; `compare(expected, got)` returns the
/// first difference. The reference's own `also` checks that the input exercises what the
/// table is about (called with its output twice). Panics listing every (twin, input) that
/// disagrees, and on an empty table, which would check nothing.
pub fn assert_agree<I, O>(
    inputs: &[(String, I)],
    reference: &Twin<'_, I, O>,
    twins: &[Twin<'_, I, O>],
    compare: impl Fn(&O, &O) -> Result<(), String>,
) {
    assert!(
        !inputs.is_empty() && !twins.is_empty(),
        "an empty table checks nothing"
    );
    let mut failures = Vec::new();
    for (input_name, input) in inputs {
        let r = (reference.run)(input);
        if let Some(also) = &reference.also {
            if let Err(e) = also(input, &r, &r) {
                failures.push(format!(
                    "reference `{}` on {input_name}: {e}",
                    reference.name
                ));
            }
        }
        for t in twins {
            let got = (t.run)(input);
            let expected = t.expect.as_ref().map(|f| f(input, &r));
            let check = compare(expected.as_ref().unwrap_or(&r), &got)
                .and_then(|()| t.also.as_ref().map_or(Ok(()), |also| also(input, &r, &got)));
            if let Err(e) = check {
                failures.push(format!("`{}` on {input_name}: {e}", t.name));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} comparisons against `{}` failed:\n  {}",
        failures.len(),
        inputs.len() * twins.len(),
        reference.name,
        failures.join("\n  ")
    );
}

/// `Err` naming the first differing item of two lists (or their lengths).
pub fn same_items<T: PartialEq + std::fmt::Debug>(
    what: &str,
    a: &[T],
    b: &[T],
) -> Result<(), String> {
    if let Some(i) = a.iter().zip(b).position(|(x, y)| x != y) {
        return Err(format!(
            "{what} {i} differs:\n    expected {:?}\n    got      {:?}",
            a[i], b[i]
        ));
    }
    if a.len() != b.len() {
        return Err(format!("{} {what}s expected, {} got", a.len(), b.len()));
    }
    Ok(())
}

/// `Err` when `a != b`, naming the first line of their pretty `Debug` forms that differs
/// (a whole report would drown the difference).
pub fn same<T: PartialEq + std::fmt::Debug>(what: &str, a: &T, b: &T) -> Result<(), String> {
    if a == b {
        return Ok(());
    }
    let (a, b) = (format!("{a:#?}"), format!("{b:#?}"));
    let i = a
        .lines()
        .zip(b.lines())
        .position(|(x, y)| x != y)
        .unwrap_or_else(|| a.lines().count().min(b.lines().count()));
    let line = |s: &str| s.lines().nth(i).unwrap_or("<end>").trim().to_string();
    Err(format!(
        "{what} differs at line {} of its Debug form:\n    expected {}\n    got      {}",
        i + 1,
        line(&a),
        line(&b)
    ))
}
