package core_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"

	"github.com/jitconsole/jitconsole/core"
	"github.com/jitconsole/jitconsole/storage"
)

// BenchmarkImpactPreview100k is the impact preview over 100,000 accounts:
// 10,000 provisioned through ApplyLogin, copied nine times (see
// copyAccounts). One op takes seconds: run it with -benchtime 1x or 3x.
func BenchmarkImpactPreview100k(b *testing.B) {
	tc := startConsoleB(b)
	seedAccounts(b, tc, 10_000)
	copyAccounts(b, tc, 10)
	idp, err := tc.DB.GetIdP(context.Background(), core.DemoSlug)
	if err != nil {
		b.Fatal(err)
	}
	m := idp.Mapping.Normalized()
	m.RoleRules = m.RoleRules[1:]
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		im, err := tc.PreviewImpact(context.Background(), core.DemoSlug, m)
		if err != nil {
			b.Fatal(err)
		}
		if im.Users != 100_000 {
			b.Fatalf("the preview saw %d accounts, want 100000", im.Users)
		}
	}
}

// copyAccounts makes the accounts of the console's database times as
// many: each copy of an account has the same attributes and roles, and
// its identifiers prefixed with the copy's number. Provisioning 100,000
// accounts one login at a time would take minutes; this takes seconds.
// It writes SQL on its own connection to the database file, so it lists
// the users table's columns rather than naming them all.
func copyAccounts(b *testing.B, tc *testConsole, times int) {
	b.Helper()
	db, err := sql.Open("sqlite", "file:"+storage.DBPath(tc.Dir)+"?_pragma=busy_timeout(30000)&_pragma=foreign_keys(1)&_txlock=immediate")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	cols := tableColumns(b, db, "users")
	unique := map[string]bool{"name_id": true, "name_key": true, "username": true, "email": true, "email_key": true, "search_text": true}
	var stride int64
	if err := db.QueryRow(`SELECT max(id) FROM users`).Scan(&stride); err != nil {
		b.Fatal(err)
	}
	tx, err := db.Begin()
	if err != nil {
		b.Fatal(err)
	}
	defer tx.Rollback()
	for k := 1; k < times; k++ {
		off, prefix := int64(k)*stride, fmt.Sprintf("c%d.", k)
		exprs := make([]string, len(cols))
		for i, c := range cols {
			switch {
			case c == "id":
				exprs[i] = "id + ?1"
			case unique[c]:
				exprs[i] = "CASE WHEN " + c + " = '' THEN '' ELSE ?2 || " + c + " END"
			default:
				exprs[i] = c
			}
		}
		stmts := []string{
			fmt.Sprintf(`INSERT INTO users (%s) SELECT %s FROM users WHERE id <= ?3`, strings.Join(cols, ", "), strings.Join(exprs, ", ")),
			copyByUser(b, tx, "user_attributes"),
			copyByUser(b, tx, "user_roles"),
		}
		for _, s := range stmts {
			if _, err := tx.Exec(s, off, prefix, stride); err != nil {
				b.Fatalf("copy %d: %s: %v", k, s, err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM users`).Scan(&n); err != nil {
		b.Fatal(err)
	}
	if want := times * int(stride); n < want-times { // ids may have gaps
		b.Fatalf("%d accounts after copying, want about %d", n, want)
	}
}

// copyByUser is the statement that copies table's rows of the accounts
// with id <= ?3 to the accounts ?1 further.
func copyByUser(b *testing.B, q interface {
	Query(string, ...any) (*sql.Rows, error)
}, table string) string {
	b.Helper()
	cols := tableColumns(b, q, table)
	exprs := make([]string, len(cols))
	for i, c := range cols {
		exprs[i] = c
		if c == "user_id" {
			exprs[i] = "user_id + ?1"
		}
	}
	return fmt.Sprintf(`INSERT INTO %s (%s) SELECT %s FROM %s WHERE user_id <= ?3`,
		table, strings.Join(cols, ", "), strings.Join(exprs, ", "), table)
}

func tableColumns(b *testing.B, q interface {
	Query(string, ...any) (*sql.Rows, error)
}, table string) []string {
	b.Helper()
	rows, err := q.Query(`SELECT name FROM pragma_table_info(?)`, table)
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	var cols []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			b.Fatal(err)
		}
		cols = append(cols, c)
	}
	if err := rows.Err(); err != nil || len(cols) == 0 {
		b.Fatalf("columns of %s: %v (%d)", table, err, len(cols))
	}
	return cols
}
