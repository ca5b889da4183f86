//! Aligned text tables: what the programs print instead of dumps.

use std::fmt;

/// A table of text cells printed with every column padded to its widest
/// cell. The last column is never padded, so lines carry no trailing
/// blanks.
///
/// ```
/// use netlink_examples::table::Table;
///
/// let mut table = Table::new(["NAME", "MTU"]);
/// table.row(["lo", "65536"]);
/// table.row(["veth0", "1500"]);
/// assert_eq!(table.to_string(), "NAME   MTU\nlo     65536\nveth0  1500\n");
/// ```
#[derive(Debug, Clone, Default)]
pub struct Table {
    rows: Vec<Vec<String>>,
    indent: usize,
}

impl Table {
    /// Returns a table whose first row is `header`.
    pub fn new<I, S>(header: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let mut table = Self::default();
        table.row(header);
        table
    }

    /// Indents every line by `spaces`.
    #[must_use]
    pub const fn indent(mut self, spaces: usize) -> Self {
        self.indent = spaces;
        self
    }

    /// Appends a row.
    pub fn row<I, S>(&mut self, cells: I)
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.rows.push(cells.into_iter().map(Into::into).collect());
    }

    /// Returns the number of rows after the header.
    #[must_use]
    pub fn len(&self) -> usize {
        self.rows.len().saturating_sub(1)
    }

    /// Returns whether the table has no row after the header.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn widths(&self) -> Vec<usize> {
        let mut widths = Vec::new();
        for row in &self.rows {
            for (i, cell) in row.iter().enumerate() {
                let width = cell.chars().count();
                match widths.get_mut(i) {
                    Some(w) => *w = width.max(*w),
                    None => widths.push(width),
                }
            }
        }
        widths
    }
}

impl fmt::Display for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let widths = self.widths();
        for row in &self.rows {
            let mut line = " ".repeat(self.indent);
            for (i, cell) in row.iter().enumerate() {
                if i + 1 == row.len() {
                    line.push_str(cell);
                } else {
                    let width = widths.get(i).copied().unwrap_or(0);
                    line.push_str(&format!("{cell:<width$}  "));
                }
            }
            writeln!(f, "{}", line.trim_end())?;
        }
        Ok(())
    }
}
