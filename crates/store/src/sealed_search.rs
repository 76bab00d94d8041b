//! Paging and searching words that are sealed in the database. The database can't match
//! sealed words, so a search opens rows in the app, batch after batch from newest to oldest,
//! each batch starting just older than the last one read, until the page is full or the rows
//! end. A plain page (no search) is one read. The journal and the thought records page this
//! way; each binds its own filters and says how its rows open and what their words are.

use std::borrow::Cow;

use crate::StoreError;

/// Text folded for a search that ignores case: every letter lower-cased, as Unicode says.
pub(crate) fn fold(text: &str) -> String {
    text.to_lowercase()
}

/// The first batch a search reads; each next one is twice as large, up to
/// [`SEARCH_BATCH_MAX`]. A word found often fills its page from the first batch or two; a
/// word found nowhere reads everything in a few large batches. Either way at most a batch of
/// rows is held at once.
const SEARCH_BATCH_FIRST: i64 = 64;
/// The largest batch a search reads.
const SEARCH_BATCH_MAX: i64 = 1024;
/// The most rows a page holds, whatever was asked.
const MAX_PAGE: usize = 200;

/// One read of a page's statement: the keyset to start just older than, and how many rows.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Batch {
    /// The time of the row to start just older than.
    pub before_ms: i64,
    /// That row's id.
    pub before_id: i64,
    /// How many rows.
    pub fetch: i64,
}

/// A page being read, with what it has found so far (and one more, which says an older page
/// exists):
/// `while let Some(batch) = scan.next_batch() { scan.take(read(batch)?, …)?; }`.
pub(crate) struct Scan<T> {
    /// The search folded, if any: matched in the app against the opened words.
    search: Option<String>,
    /// How many rows the page holds.
    limit: usize,
    /// Where the next batch starts, and how many it reads; `None` once the rows ended.
    next: Option<Batch>,
    /// The rows that belong on the page, opened.
    found: Vec<T>,
}

impl<T> Scan<T> {
    /// A page of `limit` rows older than the keyset `before`, holding `search` if given.
    pub fn new(limit: usize, before: (i64, i64), search: Option<&str>) -> Scan<T> {
        let limit = limit.clamp(1, MAX_PAGE);
        let search = search.map(fold);
        Scan {
            next: Some(Batch {
                before_ms: before.0,
                before_id: before.1,
                // One more than the page holds says whether an older page exists.
                fetch: if search.is_some() {
                    SEARCH_BATCH_FIRST
                } else {
                    i64::try_from(limit + 1).unwrap_or(i64::MAX)
                },
            }),
            search,
            limit,
            found: Vec::with_capacity(limit + 1),
        }
    }

    /// The next batch to read, or `None` when the page is done.
    pub fn next_batch(&self) -> Option<Batch> {
        self.next
    }

    /// Takes in a batch read: opens each row (`keyset` gives its time and id), and keeps
    /// those whose words (`words`) hold the search, until the page (and one more) is full.
    pub fn take<R>(
        &mut self,
        rows: Vec<R>,
        keyset: impl Fn(&R) -> (i64, i64),
        mut open: impl FnMut(R) -> Result<T, StoreError>,
        words: impl for<'t> Fn(&'t T) -> Cow<'t, str>,
    ) -> Result<(), StoreError> {
        let Some(batch) = self.next.take() else {
            return Ok(());
        };
        let full = usize::try_from(batch.fetch).map_or(true, |fetch| rows.len() >= fetch);
        let last = rows.last().map(keyset);
        for row in rows {
            let item = open(row)?;
            if self
                .search
                .as_deref()
                .is_none_or(|term| fold(&words(&item)).contains(term))
            {
                self.found.push(item);
                if self.found.len() > self.limit {
                    return Ok(());
                }
            }
        }
        // Only a search reads on; it stops where the rows end.
        if let (Some(_), true, Some((before_ms, before_id))) = (&self.search, full, last) {
            self.next = Some(Batch {
                before_ms,
                before_id,
                fetch: (batch.fetch * 2).min(SEARCH_BATCH_MAX),
            });
        }
        Ok(())
    }

    /// The page: at most `limit` rows, and whether an older page exists.
    pub fn into_page(mut self) -> (Vec<T>, bool) {
        let more = self.found.len() > self.limit;
        self.found.truncate(self.limit);
        (self.found, more)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_folds_case_as_unicode_does() {
        assert_eq!(fold("Ärger İst"), "ärger i̇st");
    }

    /// Rows newest first, as the statement reads them: (time, id, words).
    fn read(all: &[(i64, i64, String)], b: Batch) -> Vec<(i64, i64, String)> {
        all.iter()
            .filter(|(t, id, _)| (*t, *id) < (b.before_ms, b.before_id))
            .take(usize::try_from(b.fetch).unwrap())
            .cloned()
            .collect()
    }

    fn page(
        all: &[(i64, i64, String)],
        limit: usize,
        search: Option<&str>,
    ) -> (Vec<i64>, bool, u32) {
        let mut scan = Scan::new(limit, (i64::MAX, i64::MAX), search);
        let mut reads = 0;
        while let Some(b) = scan.next_batch() {
            reads += 1;
            scan.take(
                read(all, b),
                |r| (r.0, r.1),
                Ok,
                |r| Cow::Borrowed(r.2.as_str()),
            )
            .unwrap();
        }
        let (rows, more) = scan.into_page();
        (rows.iter().map(|r| r.1).collect(), more, reads)
    }

    #[test]
    fn a_search_reads_on_in_growing_batches_until_the_page_is_full() {
        // 3,000 rows, newest first; every 500th holds the word.
        let all: Vec<(i64, i64, String)> = (0..3000)
            .rev()
            .map(|i| {
                (
                    i,
                    i,
                    if i % 500 == 0 {
                        "a Heron".into()
                    } else {
                        "x".into()
                    },
                )
            })
            .collect();
        let (ids, more, reads) = page(&all, 2, Some("heron"));
        assert_eq!(ids, [2500, 2000]);
        assert!(more, "a third match says an older page exists");
        // 64 + 128 + 256 + 512 + 1024 rows reach the match at 1500.
        assert_eq!(reads, 5);
        let (ids, more, _) = page(&all, 10, Some("HERON"));
        assert_eq!(ids, [2500, 2000, 1500, 1000, 500, 0]);
        assert!(!more);
        let (_, _, reads) = page(&all, 10, Some("nowhere"));
        // 64 + 128 + 256 + 512 + 1024, then a last batch that comes back short.
        assert_eq!(reads, 6);
        // Without a search a page is one read of one more than it holds.
        let (ids, more, reads) = page(&all, 3, None);
        assert_eq!((ids, more, reads), (vec![2999, 2998, 2997], true, 1));
    }
}
