// bench-gocql: bench/cql/bench_cql.c's measurement through gocql, the Go driver.
//
//	bench-gocql CONTACT KEYSPACE TABLE ROWS IN_FLIGHT [--samples FILE] [--seed S]
//
// The same rows as bench_cql (its bind_row, field by field), the same statement
// (INSERT ... USING TIMESTAMP ?, prepared, idempotent, LOCAL_QUORUM), the same closed loop:
// IN_FLIGHT requests out at all times, a finished one replaced at once. Go has no callback API,
// so the loop is IN_FLIGHT goroutines taking the next row index from one counter, which is how a
// Go team writes it: the driver multiplexes them over its connections. Latency is submit ->
// completion per request; CPU is getrusage() over the insert window only (connect and prepare
// excluded). One JSON line on stdout with bench_cql's keys. Credentials: USERPIPE_CASSANDRA_USER
// (default cassandra) and USERPIPE_CASSANDRA_PASSWORD_FILE (default: the user name as password).
// No --compression: gocql's LZ4 compressor is a module of its own that the registry does not serve,
// and bench/cql/run measures the peers uncompressed anyway.
package main

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net"
	"os"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gocql/gocql"
)

var (
	first = [6]string{"Jennifer", "Mehmet", "Aino", "Lucas", "Sofia", "Noah"}
	last  = [6]string{"Lambert", "Yilmaz", "Korhonen", "Moreau", "Rossi", "Berg"}
	nat   = [6]string{"US", "TR", "FI", "FR", "IT", "NO"}
)

type options struct {
	contact, keyspace, table string
	rows                     int64
	depth                    int
	samples                  string
	seed                     uint64
}

// row is bench_cql.c's bind_row: the same id bits, strings and timestamps, then the write time.
func row(seed uint64, i int64) []any {
	var id gocql.UUID
	binary.BigEndian.PutUint64(id[:8], seed*0x9E3779B97F4A7C15+uint64(i))
	binary.BigEndian.PutUint64(id[8:], uint64(i)*0xBF58476D1CE4E5B9)
	id[6] = id[6]&0x0F | 0x40
	id[8] = id[8]&0x3F | 0x80
	f, l := i%6, i/6%6
	gender, folder := "male", "men"
	if i%2 == 1 {
		gender, folder = "female", "women"
	}
	ms := func(v int64) time.Time { return time.UnixMilli(v) }
	ingested := int64(1_735_689_600_000) + i
	return []any{
		id, first[f], last[l], gender,
		fmt.Sprintf("%d Main Street, Springfield, Illinois, United States", 1000+i%9000),
		fmt.Sprintf("%05d", i%100000),
		fmt.Sprintf("%s.%s%d@example.com", first[f], last[l], i),
		fmt.Sprintf("bluebird%d", i),
		ms(315_532_800_000 + i*86_400_000%946_684_800_000),
		ms(1_262_304_000_000 + i*3_600_000%441_504_000_000),
		fmt.Sprintf("(555) %03d-%04d", i/10000%1000, i%10000),
		fmt.Sprintf("https://randomuser.me/api/portraits/med/%s/%d.jpg", folder, i%100),
		nat[f], ms(ingested), ingested * 1000,
	}
}

func parseArgs(args []string) (options, error) {
	if len(args) < 5 {
		return options{}, errors.New("usage: bench-gocql CONTACT KEYSPACE TABLE ROWS IN_FLIGHT " +
			"[--samples FILE] [--seed S]")
	}
	o := options{contact: args[0], keyspace: args[1], table: args[2], seed: 1}
	var err error
	if o.rows, err = strconv.ParseInt(args[3], 10, 64); err != nil || o.rows <= 0 {
		return o, errors.New("ROWS must be a positive integer")
	}
	if o.depth, err = strconv.Atoi(args[4]); err != nil || o.depth <= 0 {
		return o, errors.New("IN_FLIGHT must be a positive integer")
	}
	for i := 5; i < len(args); i++ {
		switch {
		case args[i] == "--samples" && i+1 < len(args):
			i++
			o.samples = args[i]
		case args[i] == "--seed" && i+1 < len(args):
			i++
			if o.seed, err = strconv.ParseUint(args[i], 10, 64); err != nil {
				return o, errors.New("bad --seed")
			}
		default:
			return o, fmt.Errorf("unknown argument %s", args[i])
		}
	}
	return o, nil
}

func connect(o options) (*gocql.Session, error) {
	host, port, err := net.SplitHostPort(o.contact)
	if err != nil {
		return nil, fmt.Errorf("CONTACT %q: want HOST:PORT", o.contact)
	}
	user := os.Getenv("USERPIPE_CASSANDRA_USER")
	if user == "" {
		user = "cassandra"
	}
	password := user
	if f := os.Getenv("USERPIPE_CASSANDRA_PASSWORD_FILE"); f != "" {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		password = strings.TrimRight(string(b), "\r\n")
	}
	c := gocql.NewCluster(host)
	c.Port, _ = strconv.Atoi(port)
	c.ProtoVersion = 4
	c.Authenticator = gocql.PasswordAuthenticator{Username: user, Password: password}
	c.Consistency = gocql.LocalQuorum
	c.Timeout = 12 * time.Second
	c.ConnectTimeout = 10 * time.Second
	// One connection per host, as the other drivers here use: protocol v4 multiplexes 32768
	// streams on it (gocql's default of 2 would only add a socket per node).
	c.NumConns = 1
	c.PoolConfig.HostSelectionPolicy = gocql.TokenAwareHostPolicy(gocql.RoundRobinHostPolicy())
	return c.CreateSession()
}

func cpuSeconds() float64 {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	tv := func(t syscall.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }
	return tv(ru.Utime) + tv(ru.Stime)
}

func percentileMs(sorted []uint32, p float64) float64 {
	return float64(sorted[int(p*float64(len(sorted)-1)+0.5)]) / 1000
}

func driverVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == "github.com/gocql/gocql" {
				return "gocql " + strings.TrimPrefix(d.Version, "v")
			}
		}
	}
	return "gocql"
}

func run(o options) (bool, error) {
	session, err := connect(o)
	if err != nil {
		return false, fmt.Errorf("connect: %w", err)
	}
	defer session.Close()
	stmt := fmt.Sprintf("INSERT INTO %s.%s (id, first_name, last_name, gender, address, post_code, "+
		"email, username, dob, registered_date, phone, picture, nat, ingested_at) "+
		"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) USING TIMESTAMP ?", o.keyspace, o.table)
	// gocql prepares on first use; do it here so the window holds inserts only.
	if err := session.Query(stmt, row(o.seed, 0)...).Exec(); err != nil {
		return false, fmt.Errorf("prepare: %w", err)
	}

	latUs := make([]uint32, o.rows)
	var next, failed atomic.Int64
	var wg sync.WaitGroup
	cpu0, t0 := cpuSeconds(), time.Now()
	for w := 0; w < o.depth; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := next.Add(1) - 1; i < o.rows; i = next.Add(1) - 1 {
				t := time.Now()
				err := session.Query(stmt, row(o.seed, i)...).Idempotent(true).Exec()
				latUs[i] = uint32(min(time.Since(t).Microseconds(), math.MaxUint32))
				if err != nil && failed.Add(1) <= 5 {
					fmt.Fprintf(os.Stderr, "bench-gocql: insert failed: %v\n", err)
				}
			}
		}()
	}
	wg.Wait()
	seconds, cpu := time.Since(t0).Seconds(), cpuSeconds()-cpu0

	if o.samples != "" {
		var b strings.Builder
		for i := 0; i < len(latUs); i += 10 {
			fmt.Fprintf(&b, "%.3f\n", float64(latUs[i])/1000)
		}
		if err := os.WriteFile(o.samples, []byte(b.String()), 0o644); err != nil {
			return false, err
		}
	}
	slices.Sort(latUs)
	// Fixed decimals as text, so the JSON carries 3.756 and not 3.7560000000000002.
	round := func(v float64, decimals int) json.Number {
		return json.Number(strconv.FormatFloat(v, 'f', decimals, 64))
	}
	out, _ := json.Marshal(map[string]any{
		"rows": o.rows - failed.Load(), "failed": failed.Load(), "in_flight": o.depth,
		"seconds":         round(seconds, 3),
		"rows_per_s":      round(float64(o.rows)/seconds, 1),
		"latency_p50_ms":  percentileMs(latUs, 0.50),
		"latency_p99_ms":  percentileMs(latUs, 0.99),
		"latency_p999_ms": percentileMs(latUs, 0.999),
		"cpu_s":           round(cpu, 3),
		"cpu_s_per_100k":  round(cpu*100000/float64(o.rows), 3),
		"driver":          driverVersion(),
	})
	fmt.Println(string(out))
	return failed.Load() == 0, nil
}

func main() {
	o, err := parseArgs(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench-gocql:", err)
		os.Exit(2)
	}
	ok, err := run(o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench-gocql:", err)
		os.Exit(1)
	}
	if !ok {
		os.Exit(1)
	}
}
