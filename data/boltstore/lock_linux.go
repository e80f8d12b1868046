package boltstore

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// lockHolder says which process holds the flock of path, from /proc/locks
// (whose device field is major:minor in hex, then the inode).
func lockHolder(path string) string {
	st, err := os.Stat(path)
	if err != nil {
		return "holder unknown"
	}
	sys, ok := st.Sys().(*syscall.Stat_t)
	if !ok {
		return "holder unknown"
	}
	dev := uint64(sys.Dev) // uint32 on some architectures
	// Linux's dev_t: 12 bits of major and 20 of minor, split across the word.
	major, minor := (dev>>8)&0xfff|(dev>>32)&^0xfff, dev&0xff|(dev>>12)&^0xff
	file := fmt.Sprintf("%02x:%02x:%d", major, minor, sys.Ino)
	locks, err := os.ReadFile("/proc/locks")
	if err != nil {
		return "holder unknown: /proc/locks unreadable"
	}
	for _, line := range strings.Split(string(locks), "\n") {
		f := strings.Fields(line)
		// "1: FLOCK  ADVISORY  WRITE 4242 fd:01:1234 0 EOF"; waiters have "->" after the number.
		if len(f) < 6 || f[1] != "FLOCK" || f[5] != file {
			continue
		}
		pid, err := strconv.Atoi(f[4])
		if err != nil || pid <= 0 {
			return "held by a process of another namespace"
		}
		if pid == os.Getpid() {
			return fmt.Sprintf("held by this process, pid %d: the store is already open", pid)
		}
		cmd, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
		args := strings.TrimSpace(string(bytes.ReplaceAll(cmd, []byte{0}, []byte{' '})))
		if err != nil || args == "" {
			return fmt.Sprintf("locked by pid %d, which may still be exiting", pid)
		}
		if len(args) > 100 {
			args = args[:100] + "…"
		}
		return fmt.Sprintf("held by pid %d: %s", pid, args)
	}
	return "no holder listed in /proc/locks: the previous one may be exiting"
}

// unlockFile releases the flock of f. Closing f is not enough when bbolt
// panicked while opening it: its memory map keeps the open file, and with
// it the lock, alive.
func unlockFile(f *os.File) { _ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN) }
