package audit

import (
	"fmt"
	"testing"
	"time"
)

func chain(n int) []Event {
	var out []Event
	prev := GenesisHash
	t0 := time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)
	for i := 1; i <= n; i++ {
		e := Event{Seq: int64(i), OccurredAt: t0.Add(time.Duration(i) * time.Second), ActorName: "u", Action: "a",
			TargetType: "t", TargetID: fmt.Sprint(i), Summary: `{}`, PrevHash: prev}
		e.Hash = Hash(e)
		prev = e.Hash
		out = append(out, e)
	}
	return out
}

func verify(events []Event) *Break {
	var v Verifier
	for _, e := range events {
		if b := v.Next(e); b != nil {
			return b
		}
	}
	return nil
}

func TestVerifier(t *testing.T) {
	cases := []struct {
		name   string
		mutate func([]Event) []Event
		broken int64 // 0: intact
	}{
		{"intact", func(e []Event) []Event { return e }, 0},
		{"empty", func(e []Event) []Event { return nil }, 0},
		{"edited summary", func(e []Event) []Event { e[2].Summary = `{"after":"x"}`; return e }, 3},
		{"edited actor", func(e []Event) []Event { e[0].ActorName = "mallory"; return e }, 1},
		{"edited time", func(e []Event) []Event { e[3].OccurredAt = e[3].OccurredAt.Add(time.Hour); return e }, 4},
		{"edited and rehashed", func(e []Event) []Event { e[2].Action = "x"; e[2].Hash = Hash(e[2]); return e }, 4},
		{"deleted middle", func(e []Event) []Event { return append(e[:2:2], e[3:]...) }, 3},
		{"deleted first", func(e []Event) []Event { return e[1:] }, 1},
		{"swapped", func(e []Event) []Event { e[1], e[2] = e[2], e[1]; return e }, 2},
		{"reseq after swap", func(e []Event) []Event {
			e[1], e[2] = e[2], e[1]
			e[1].Seq, e[2].Seq = 2, 3
			return e
		}, 2},
		{"inserted forged", func(e []Event) []Event {
			f := e[1]
			f.Action = "forged"
			return append(e[:2:2], append([]Event{f}, e[2:]...)...)
		}, 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := verify(c.mutate(chain(5)))
			switch {
			case c.broken == 0 && b != nil:
				t.Fatalf("intact chain reported broken: %v", b)
			case c.broken != 0 && b == nil:
				t.Fatalf("broken chain reported intact")
			case c.broken != 0 && b.Seq != c.broken:
				t.Fatalf("broken at %d (%s), want %d", b.Seq, b.Reason, c.broken)
			}
		})
	}
}

func TestHashSeparatesFields(t *testing.T) {
	a := Event{Seq: 1, ActorName: "ab", Action: "c"}
	b := Event{Seq: 1, ActorName: "a", Action: "bc"}
	if Hash(a) == Hash(b) {
		t.Fatal("field boundaries are not part of the hash")
	}
}
