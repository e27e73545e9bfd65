/*
 * eng_version: versions of one project.  Rows that share an id -- in one
 * file or across imports -- are versions of one project (approved, then
 * completed; one agency list, then a later one).  The stored record is their
 * merge, field by field:
 *   - a non-empty value beats an empty one, whichever version has it;
 *   - two versions with different non-empty values are a conflict: the
 *     latest version's value is the record's, and every distinct value is
 *     kept, in version order, in the record's extra field "conflicts"
 *     ([{"field": "acceptance.conclusion", "values": ["良好", "优秀"]}]);
 *   - the data-quality marks of every version are kept ("data_quality");
 *   - "versions" holds how many versions were merged (when more than one).
 * Fields are the record's top-level keys and acceptance's keys
 * ("acceptance.date"); lists (keywords, indicators) are compared whole.
 *
 * Versions are canonical JSON texts (eng_record_to_json without
 * provenance), oldest first.  Nothing here touches the store.
 */
#ifndef ENG_VERSION_H
#define ENG_VERSION_H

#include <stddef.h>

#include "engine/eng_err.h"

/*
 * Merges n >= 1 versions.  OUT: *out (the merged record's canonical JSON,
 * malloc'd, the caller frees), *nconflicts (fields in conflict).  Returns
 * ENG_OK, ENG_EINPUT when a version is not a JSON object, or ENG_EIO.
 */
int eng_version_merge(const char *const *versions, size_t n, char **out, int *nconflicts,
                      eng_err *err);

/*
 * What replacing the version `older` by `newer` would lose: the fields
 * `older` fills and `newer` leaves empty, and a change of source.  OUT:
 * *diff, one field a line ("  organisation: \"Univ X\" -> (empty)",
 * "  source: NSF-2025 -> (none)"), malloc'd, or NULL when nothing is lost.
 * Returns the number of fields lost, or -1 when memory ran out or a text is
 * not a JSON object.
 */
int eng_version_losses(const char *older, const char *newer, char **diff);

#endif
