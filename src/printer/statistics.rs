//! `--statistics`: how many findings each code has, instead of the findings. Sorted by count
//! (most first), then code. "Fixable" counts the findings `--fix` would fix: safe fixes,
//! and unsafe ones with `--unsafe-fixes` (display-only suggestions never).

use crate::lint::FileReport;
use crate::printer::rule_name;
use plimsoll_rules::Applicability;
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::Write;

#[derive(Serialize)]
pub struct Row {
    pub code: &'static str,
    pub name: &'static str,
    pub count: usize,
    pub fixable: usize,
}

pub struct Statistics {
    pub rows: Vec<Row>,
}

impl Statistics {
    pub fn of(reports: &[FileReport], unsafe_fixes: bool) -> Statistics {
        let mut counts: BTreeMap<&'static str, (usize, usize)> = BTreeMap::new();
        for d in reports.iter().flat_map(|r| &r.diagnostics) {
            let entry = counts.entry(d.code).or_default();
            entry.0 += 1;
            let fixable = d.fix.as_ref().is_some_and(|f| match f.applicability {
                Applicability::Safe => true,
                Applicability::Unsafe => unsafe_fixes,
                Applicability::DisplayOnly => false,
            });
            if fixable {
                entry.1 += 1;
            }
        }
        let mut rows: Vec<Row> = counts
            .into_iter()
            .map(|(code, (count, fixable))| Row {
                code,
                name: rule_name(code),
                count,
                fixable,
            })
            .collect();
        // Stable sort: equal counts stay in code order.
        rows.sort_by_key(|r| std::cmp::Reverse(r.count));
        Statistics { rows }
    }

    /// `COUNT  CODE  FIXABLE  NAME`, aligned, with a total line.
    pub fn write_table(&self, out: &mut dyn Write) -> std::io::Result<()> {
        if self.rows.is_empty() {
            return writeln!(out, "No problems found.");
        }
        let total: usize = self.rows.iter().map(|r| r.count).sum();
        let fixable: usize = self.rows.iter().map(|r| r.fixable).sum();
        let count_width = total.to_string().len().max("COUNT".len());
        let code_width = self
            .rows
            .iter()
            .map(|r| r.code.len())
            .max()
            .unwrap_or(4)
            .max(4);
        let fix_width = "FIXABLE".len();
        writeln!(
            out,
            "{:>count_width$}  {:<code_width$}  {:>fix_width$}  NAME",
            "COUNT", "CODE", "FIXABLE"
        )?;
        for row in &self.rows {
            writeln!(
                out,
                "{:>count_width$}  {:<code_width$}  {:>fix_width$}  {}",
                row.count, row.code, row.fixable, row.name
            )?;
        }
        writeln!(
            out,
            "{total:>count_width$}  {:<code_width$}  {fixable:>fix_width$}",
            "total"
        )
    }

    /// A JSON array of `{code, name, count, fixable}`.
    pub fn write_json(&self, out: &mut dyn Write) -> std::io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, &self.rows).map_err(std::io::Error::from)?;
        writeln!(out)
    }
}
