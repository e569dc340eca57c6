package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/jitconsole/jitconsole/core"
)

func TestEventLinesFitIn8KiB(t *testing.T) {
	long := strings.Repeat("é<\"", 100_000) // escapes grow in JSON
	tests := []struct {
		name string
		e    core.Event
		cut  bool
	}{
		{"short", core.Event{ID: 1, Kind: core.EventLoginRefused, Message: "Sign-in refused", Detail: "hint"}, false},
		{"long detail", core.Event{ID: 2, Kind: core.EventLoginRefused, Message: "m", Detail: long}, true},
		{"every field long", core.Event{ID: 3, Kind: core.EventKind(long), Outcome: core.Outcome(long), IdPSlug: long, Subject: long, Message: long, Detail: long, Class: core.RefusalClass(long)}, true},
		{"just over", core.Event{ID: 4, Kind: "k", Message: strings.Repeat("a", maxEventLine)}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			stream := newEventStream(&out, io.Discard, 4)
			stream.offer(tt.e)
			stream.close(time.Minute) // waits for the line to be written
			line := out.Bytes()
			if len(line) > maxEventLine || !bytes.HasSuffix(line, []byte("\n")) || bytes.Count(line, []byte("\n")) != 1 {
				t.Fatalf("line of %d bytes (max %d)", len(line), maxEventLine)
			}
			var got eventJSON
			if err := json.Unmarshal(line, &got); err != nil {
				t.Fatalf("not JSON: %v", err)
			}
			if got.ID != tt.e.ID {
				t.Errorf("id %d, want %d", got.ID, tt.e.ID)
			}
			if cut := strings.Contains(string(line), cutMark); cut != tt.cut {
				t.Errorf("cut = %v, want %v", cut, tt.cut)
			}
			if !tt.cut && got.Message != tt.e.Message {
				t.Errorf("message %q changed", got.Message)
			}
			if tt.cut && len(line) < maxEventLine-64 {
				t.Errorf("cut to %d bytes: more than needed", len(line))
			}
		})
	}
}

func TestRetentionFlags(t *testing.T) {
	day := 24 * time.Hour
	tests := []struct {
		args []string
		want core.RetentionPolicy
		bad  bool
	}{
		{nil, core.RetentionPolicy{}, false},
		{[]string{"--keep-recordings", "7", "--keep-events", "90", "--recorder-cap", "64"},
			core.RetentionPolicy{KeepRecordings: 7 * day, KeepEvents: 90 * day, RecorderCap: 64 << 20}, false},
		{[]string{"--keep-events", "0"}, core.RetentionPolicy{}, true},
		{[]string{"--keep-recordings", "-3"}, core.RetentionPolicy{}, true},
		{[]string{"--keep-recordings", "99999"}, core.RetentionPolicy{}, true},
		{[]string{"--recorder-cap", "0"}, core.RetentionPolicy{}, true},
	}
	for _, tt := range tests {
		fs := flag.NewFlagSet("jitconsole serve", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		rf := addRetentionFlags(fs)
		if err := fs.Parse(tt.args); err != nil {
			t.Fatal(err)
		}
		var stderr bytes.Buffer
		got, err := rf.policy(fs, &stderr)
		if (err != nil) != tt.bad {
			t.Errorf("%v: err %v, want bad=%v", tt.args, err, tt.bad)
		}
		if tt.bad && !strings.Contains(stderr.String(), "whole number") {
			t.Errorf("%v: stderr %q does not say what is allowed", tt.args, stderr.String())
		}
		if !tt.bad && got != tt.want {
			t.Errorf("%v: %+v, want %+v", tt.args, got, tt.want)
		}
	}
}
