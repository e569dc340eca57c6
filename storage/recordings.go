package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/jitconsole/jitconsole/core"
)

// insertRecording writes rec, its raw response cut to
// core.MaxRecordedResponse bytes, and returns its ID. RawSize is the size
// as received: len(rec.Raw), or more when the caller already cut Raw.
func insertRecording(w *writer, rec core.Recording) (int64, error) {
	raw := rec.Raw
	size := max(rec.RawSize, len(raw))
	if len(raw) > core.MaxRecordedResponse {
		raw = raw[:core.MaxRecordedResponse]
	}
	truncated := rec.RawTruncated || size > len(raw)
	var id int64
	err := w.queryRow(qAddRecording,
		nanos(rec.At), rec.IdPSlug, nullID(rec.LoginID), nullID(rec.EventID), nullID(rec.UserID), rec.NameID,
		rec.Outcome, rec.Action, rec.Class, rec.Reason, rec.Hint, rec.Detail, rec.Weak, rec.RemoteAddr,
		size, truncated, searchText(rec.NameID, string(rec.Class), rec.Reason), len(raw), max(rec.Count, 1),
	).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("save flight recorder entry: %w", err)
	}
	if len(raw) > 0 {
		if _, err := w.exec(qAddRecordingRaw, id, raw); err != nil {
			return 0, fmt.Errorf("save the raw response: %w", err)
		}
	}
	return id, nil
}

// recordingColumns are the columns scanRecording reads: all but the raw
// response.
const recordingColumns = `r.id, r.at, r.idp_slug, r.login_id, r.event_id, r.user_id, r.name_id, r.outcome, r.action,
	r.class, r.reason, r.hint, r.detail, r.weak, r.remote_addr, r.raw_size, r.raw_truncated, r.count`

// ListRecordings returns the flight recorder entries f selects, newest
// first, without their raw responses (which are not read). Since is
// included and Until excluded; Search is a case-insensitive substring of
// the NameID, the refusal class or the reason. A Limit of 0 means no limit.
func (db *DB) ListRecordings(ctx context.Context, f core.RecordingFilter) ([]core.Recording, error) {
	q, args := recordingsQuery(f)
	rows, err := db.read.QueryContext(ctx, q, args...)
	return collect(rows, err, "list flight recorder entries", func(s scanner) (core.Recording, error) { return scanRecording(s) })
}

// recordingsQuery is ListRecordings' query for f and its arguments.
func recordingsQuery(f core.RecordingFilter) (string, []any) {
	var (
		where []string
		args  []any
	)
	if f.IdPSlug != "" {
		where, args = append(where, "r.idp_slug = ?"), append(args, f.IdPSlug)
	}
	if f.Outcome != "" {
		where, args = append(where, "r.outcome = ?"), append(args, f.Outcome)
	}
	if s := strings.ToLower(strings.TrimSpace(f.Search)); s != "" {
		where, args = append(where, "instr(r.search_text, ?) > 0"), append(args, s)
	}
	if !f.Since.IsZero() {
		where, args = append(where, "r.at >= ?"), append(args, f.Since.UnixNano())
	}
	if !f.Until.IsZero() {
		where, args = append(where, "r.at < ?"), append(args, f.Until.UnixNano())
	}
	q := `SELECT ` + recordingColumns + ` FROM recordings r`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	limit := f.Limit
	if limit <= 0 {
		limit = -1 // no limit
	}
	q += ` ORDER BY r.at DESC, r.id DESC LIMIT ? OFFSET ?`
	return q, append(args, limit, max(f.Offset, 0))
}

// GetRecording returns the flight recorder entry with id, its raw response
// included; ENOTFOUND when there is none (or it was purged).
func (db *DB) GetRecording(ctx context.Context, id int64) (core.Recording, error) {
	var raw []byte
	row := db.read.QueryRowContext(ctx, `SELECT `+recordingColumns+`, x.raw
		FROM recordings r LEFT JOIN recording_raw x ON x.id = r.id WHERE r.id = ?`, id)
	rec, err := scanRecording(row, &raw)
	if errors.Is(err, sql.ErrNoRows) {
		return core.Recording{}, core.Errorf(core.ENOTFOUND, "There is no flight recorder entry %d.", id)
	} else if err != nil {
		return core.Recording{}, fmt.Errorf("get flight recorder entry %d: %w", id, err)
	}
	rec.Raw = raw
	return rec, nil
}

// scanRecording reads recordingColumns, then extra.
func scanRecording(s scanner, extra ...any) (core.Recording, error) {
	var (
		rec                      core.Recording
		at                       int64
		loginID, eventID, userID sql.NullInt64
	)
	dest := []any{&rec.ID, &at, &rec.IdPSlug, &loginID, &eventID, &userID, &rec.NameID, &rec.Outcome, &rec.Action,
		&rec.Class, &rec.Reason, &rec.Hint, &rec.Detail, &rec.Weak, &rec.RemoteAddr, &rec.RawSize, &rec.RawTruncated, &rec.Count}
	if err := s.Scan(append(dest, extra...)...); err != nil {
		return core.Recording{}, err
	}
	rec.At = fromNanos(at)
	rec.LoginID, rec.EventID, rec.UserID = loginID.Int64, eventID.Int64, userID.Int64
	rec.Count = repeated(rec.Count)
	return rec, nil
}
