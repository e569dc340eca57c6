package storage

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/jitconsole/jitconsole/core"
)

// LockFileName is the name of the lock file inside the data directory.
// The GUI and serve hold an OS lock on it while they run; its text says
// who holds it (PID and listen address) so that a second one can say so.
const LockFileName = "jitconsole.lock"

// DataDirLock is the lock of one running console on a data directory.
// The OS lock (flock on Unix, LockFileEx on Windows) ends with the process,
// so a lock file left by a console that died is no obstacle.
type DataDirLock struct {
	mu   sync.Mutex
	dir  string
	f    *os.File
	info LockHolder
}

// LockHolder is what the lock file says about the console holding it.
type LockHolder struct {
	PID     int
	Listen  string // the address the listener binds
	BaseURL string // its public URL, once known
}

// LockDataDir takes the data directory's lock for a console that will
// listen on listen, creating the directory (0700) and the lock file (0600)
// when missing. When another process holds the lock it returns an error
// with code ECONFLICT naming that process's PID and address.
func LockDataDir(dir, listen string) (*DataDirLock, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create the data directory %s: %w", dir, err)
	}
	path := filepath.Join(dir, LockFileName)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open the lock file %s: %w", path, err)
	}
	held, err := tryLock(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if !held {
		holder := readLockHolder(f)
		f.Close()
		return nil, &core.Error{Code: core.ECONFLICT, Err: ErrDataDirLocked, Message: holder.busyMessage(dir)}
	}
	l := &DataDirLock{dir: dir, f: f, info: LockHolder{PID: os.Getpid(), Listen: listen}}
	if err := l.write(); err != nil {
		l.Release()
		return nil, err
	}
	return l, nil
}

// ErrDataDirLocked is in the chain of LockDataDir's error when another
// console holds the lock.
var ErrDataDirLocked = errors.New("data directory locked by another console")

// busyMessage is the refusal a second console gets.
func (h LockHolder) busyMessage(dir string) string {
	who := "another JIT Console"
	switch {
	case h.PID > 0 && h.Listen != "":
		who = fmt.Sprintf("another JIT Console (PID %d, listening on %s)", h.PID, h.Listen)
	case h.PID > 0:
		who = fmt.Sprintf("another JIT Console (PID %d)", h.PID)
	}
	return fmt.Sprintf("%s is using %s; stop it first, or use another --data-dir", who, dir)
}

// SetListening records the address the listener bound and its public URL
// in the lock file (the address given to LockDataDir may have had port 0).
func (l *DataDirLock) SetListening(addr, baseURL string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return nil
	}
	l.info.Listen, l.info.BaseURL = addr, baseURL
	return l.writeLocked()
}

func (l *DataDirLock) write() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.writeLocked()
}

// writeLocked writes the holder in one write at offset 0 after truncating:
// a reader sees the old text, nothing, or the new text.
func (l *DataDirLock) writeLocked() error {
	text := fmt.Sprintf("pid=%d\nlisten=%s\nbase_url=%s\n", l.info.PID, l.info.Listen, l.info.BaseURL)
	if err := l.f.Truncate(0); err != nil {
		return fmt.Errorf("write the lock file: %w", err)
	}
	if _, err := l.f.WriteAt([]byte(text), 0); err != nil {
		return fmt.Errorf("write the lock file: %w", err)
	}
	return nil
}

// Release gives the lock up. The lock file stays (removing it would let two
// processes lock two different files of one name). Safe to call twice.
func (l *DataDirLock) Release() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return
	}
	l.f.Truncate(0)
	unlock(l.f)
	l.f.Close()
	l.f = nil
}

// readLockHolder parses the lock file's text; unknown fields stay zero.
func readLockHolder(f *os.File) LockHolder {
	var h LockHolder
	buf := make([]byte, 4096)
	n, _ := f.ReadAt(buf, 0)
	sc := bufio.NewScanner(strings.NewReader(string(buf[:n])))
	for sc.Scan() {
		k, v, _ := strings.Cut(sc.Text(), "=")
		switch k {
		case "pid":
			h.PID, _ = strconv.Atoi(v)
		case "listen":
			h.Listen = v
		case "base_url":
			h.BaseURL = v
		}
	}
	return h
}
