//! The closing table: each target, what this run measured, and whether it was met.

pub struct Report {
    rows: Vec<Row>,
}

struct Row {
    target: String,
    measured: String,
    /// `None` for a figure printed for information, with no target.
    met: Option<bool>,
}

impl Report {
    pub fn new() -> Report {
        Report { rows: Vec::new() }
    }

    pub fn target(&mut self, target: impl Into<String>, measured: impl Into<String>, met: bool) {
        self.rows.push(Row {
            target: target.into(),
            measured: measured.into(),
            met: Some(met),
        });
    }

    pub fn info(&mut self, what: impl Into<String>, measured: impl Into<String>) {
        self.rows.push(Row {
            target: what.into(),
            measured: measured.into(),
            met: None,
        });
    }

    pub fn missed(&self) -> usize {
        self.rows.iter().filter(|r| r.met == Some(false)).count()
    }

    pub fn print(&self) {
        let width = self
            .rows
            .iter()
            .map(|r| r.target.chars().count())
            .max()
            .unwrap_or(0);
        let measured = self
            .rows
            .iter()
            .map(|r| r.measured.chars().count())
            .max()
            .unwrap_or(0);
        println!("\n{:<width$}  {:<measured$}  result", "target", "measured");
        for r in &self.rows {
            let verdict = match r.met {
                Some(true) => "pass",
                Some(false) => "MISS",
                None => "info",
            };
            println!("{:<width$}  {:<measured$}  {verdict}", r.target, r.measured);
        }
    }
}
