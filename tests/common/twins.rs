//! Differential harness for fast paths and their slow twins, as cedar's differential tests
//! do it: one table of implementations run over one list of inputs, each output compared
//! with the reference implementation's (the simplest, slowest path). A new path is one
//! more row, checked on every input; a new input is checked by every path.

type Check<'a, I, O> = Box<dyn Fn(&I, &O, &O) -> Result<(), String> + 'a>;
type Expect<'a, I, O> = Box<dyn Fn(&I, &O) -> O + 'a>;

/// One implementation in the table.
pub struct Twin<'a, I, O> {
    name: &'a str,
    run: Box<dyn Fn(&I) -> O + 'a>,
    /// What it must give, from the input and the reference's output (default: the same).
    expect: Option<Expect<'a, I, O>>,
    /// Further properties (input, reference output, own output), e.g. "fewer keys than
    /// events". On the reference: that the input exercises what the table is about.
    also: Option<Check<'a, I, O>>,
}

impl<'a, I, O> Twin<'a, I, O> {
    pub fn new(name: &'a str, run: impl Fn(&I) -> O + 'a) -> Self {
        let (expect, also) = (None, None);
        Twin {
            name,
            run: Box::new(run),
            expect,
            also,
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

    fn check(&self, input: &I, reference: &O, got: &O) -> Result<(), String> {
        self.also
            .as_ref()
            .map_or(Ok(()), |f| f(input, reference, got))
    }
}

/// Run `reference` and every twin on every input; `compare(expected, got)` gives the first
/// difference. Panics listing every (twin, input) that fails, and on an empty table.
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
        if let Err(e) = reference.check(input, &r, &r) {
            failures.push(format!(
                "reference `{}` on {input_name}: {e}",
                reference.name
            ));
        }
        for t in twins {
            let got = (t.run)(input);
            let expected = t.expect.as_ref().map(|f| f(input, &r));
            let outcome = compare(expected.as_ref().unwrap_or(&r), &got)
                .and_then(|()| t.check(input, &r, &got));
            if let Err(e) = outcome {
                failures.push(format!("`{}` on {input_name}: {e}", t.name));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} comparisons with `{}` failed:\n  {}",
        failures.len(),
        inputs.len() * twins.len(),
        reference.name,
        failures.join("\n  ")
    );
}

/// `Ok` when `ok`, else the message.
pub fn ensure(ok: bool, msg: impl Into<String>) -> Result<(), String> {
    ok.then_some(()).ok_or_else(|| msg.into())
}

/// `Err` naming the first differing item of two lists, or their lengths.
pub fn same_items<T: PartialEq + std::fmt::Debug>(
    what: &str,
    a: &[T],
    b: &[T],
) -> Result<(), String> {
    match a.iter().zip(b).position(|(x, y)| x != y) {
        Some(i) => same(&format!("{what} {i}"), &a[i], &b[i]),
        None => {
            let (m, n) = (a.len(), b.len());
            ensure(m == n, format!("{m} {what}s expected, {n} got"))
        }
    }
}

/// `Err` naming the first line of the pretty `Debug` forms of `a` and `b` that differs (a
/// whole report would drown the difference).
pub fn same<T: PartialEq + std::fmt::Debug>(what: &str, a: &T, b: &T) -> Result<(), String> {
    if a == b {
        return Ok(());
    }
    let (a, b) = (format!("{a:#?}"), format!("{b:#?}"));
    let i = a.lines().zip(b.lines()).position(|(x, y)| x != y);
    let i = i.unwrap_or_else(|| a.lines().count().min(b.lines().count()));
    let line = |s: &str| s.lines().nth(i).unwrap_or("<end>").trim().to_string();
    Err(format!(
        "{what} differs at line {} of its Debug form:\n    expected {}\n    got      {}",
        i + 1,
        line(&a),
        line(&b)
    ))
}
