package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// serverPID is the qualify server under test (0 before it starts).
var serverPID atomic.Int64

// clockTicks is USER_HZ, the unit of /proc/<pid>/stat times (100 on Linux).
const clockTicks = 100

// cpuSample is the CPU time (seconds) used so far by the server, by all PostgreSQL processes and
// by this load generator, read from /proc. Where the machine's cores go during a phase tells
// whether the server, the database or the generator is the limit.
type cpuSample struct {
	at                  time.Time
	server, pg, loadGen float64
}

// cpuUse is the cores each party used on average during a phase.
type cpuUse struct{ server, pg, loadGen float64 }

func (u cpuUse) String() string {
	if u == (cpuUse{}) {
		return ""
	}
	return fmt.Sprintf("%.2f/%.2f/%.2f", u.server, u.pg, u.loadGen)
}

func sampleCPU() cpuSample {
	s := cpuSample{at: time.Now(), loadGen: procCPU(os.Getpid())}
	if pid := serverPID.Load(); pid > 0 {
		s.server = procCPU(int(pid))
	}
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, d := range dirs {
		comm, err := os.ReadFile(filepath.Join(d, "comm"))
		if err != nil || !strings.HasPrefix(string(comm), "postgres") {
			continue
		}
		pid, _ := strconv.Atoi(filepath.Base(d))
		s.pg += procCPU(pid)
	}
	return s
}

// since is the cores used between s and now. PostgreSQL backends that ended during the phase
// are not counted (the server's pool keeps its connections, so this is small).
func (s cpuSample) since() cpuUse {
	e := sampleCPU()
	d := e.at.Sub(s.at).Seconds()
	if d <= 0 {
		return cpuUse{}
	}
	return cpuUse{server: (e.server - s.server) / d, pg: max(e.pg-s.pg, 0) / d, loadGen: (e.loadGen - s.loadGen) / d}
}

// procCPU is utime+stime of pid in seconds (0 when it cannot be read).
func procCPU(pid int) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// Fields after the parenthesised command name; utime and stime are fields 14 and 15.
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 15 {
		return 0
	}
	ut, _ := strconv.ParseFloat(f[11], 64)
	st, _ := strconv.ParseFloat(f[12], 64)
	// With the children this process has waited for (wrk), which count as the load generator.
	cut, _ := strconv.ParseFloat(f[13], 64)
	cst, _ := strconv.ParseFloat(f[14], 64)
	if pid != os.Getpid() {
		cut, cst = 0, 0
	}
	return (ut + st + cut + cst) / clockTicks
}
