package main

import (
	"bytes"
	"encoding/binary"
	"image/png"
	"os"
	"path/filepath"
	"testing"
)

// TestConvert makes the icon from the app's PNG and reads it back: an
// ICONDIR of type 1, one entry per size whose PNG has that size and whose
// offset and length point at it.
func TestConvert(t *testing.T) {
	out := filepath.Join(t.TempDir(), "icon.ico")
	if err := convert("../../assets/icon.png", out); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var head [3]uint16
	if err := binary.Read(bytes.NewReader(data), binary.LittleEndian, &head); err != nil {
		t.Fatal(err)
	}
	if head != [3]uint16{0, 1, uint16(len(sizes))} {
		t.Fatalf("ICONDIR %v, want [0 1 %d]", head, len(sizes))
	}
	for i, side := range sizes {
		e := data[6+16*i : 6+16*(i+1)]
		size, offset := binary.LittleEndian.Uint32(e[8:]), binary.LittleEndian.Uint32(e[12:])
		if int(offset+size) > len(data) {
			t.Fatalf("entry %d points past the end (%d+%d > %d)", i, offset, size, len(data))
		}
		cfg, err := png.DecodeConfig(bytes.NewReader(data[offset : offset+size]))
		if err != nil {
			t.Fatalf("entry %d: %v", i, err)
		}
		if cfg.Width != side || cfg.Height != side || int(e[0]) != side%256 {
			t.Errorf("entry %d: PNG %dx%d, directory width byte %d; want %d", i, cfg.Width, cfg.Height, e[0], side)
		}
	}
}
