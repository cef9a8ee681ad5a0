package store

import (
	"encoding/json"
	"math/rand/v2"
	"testing"

	"qualify/internal/eligibility"
)

// TestRulesTextMatchesEncodingJSON checks that the bulk encoder writes a check's rules byte for
// byte as encoding/json writes []ruleResultJSON, which the single check used to store.
func TestRulesTextMatchesEncodingJSON(t *testing.T) {
	texts := []string{"", "plain", "逐级提拔：由乡科级正职提任县处级副职", `quote " backslash \ slash /`, "<b>&amp;</b>",
		"line\nbreak\r\ttab\b\f\x00\x1f\x7f", "\u2028\u2029", "bad \xff\xfe utf-8 \xe4\xb8", "emoji 😀 and 〔2026〕8号",
		"《党政领导干部选拔任用工作条例》第八条第（一）项"}
	r := rand.New(rand.NewPCG(1, 2))
	for range 200 {
		b := make([]byte, r.IntN(40))
		for i := range b {
			b[i] = byte(r.IntN(256))
		}
		texts = append(texts, string(b))
	}
	for i, s := range texts {
		rs := []eligibility.RuleResult{{Code: "level_step", Title: s, Status: eligibility.Fail, Detail: s, Basis: texts[(i+1)%len(texts)]},
			{Code: s, Title: "工龄", Status: eligibility.Pass, Detail: "工龄20年", Basis: s}}
		want := make([]ruleResultJSON, len(rs))
		for j, x := range rs {
			want[j] = ruleResultJSON{Code: x.Code, Title: x.Title, Status: string(x.Status), Detail: x.Detail, Basis: x.Basis}
		}
		w, err := json.Marshal(want)
		if err != nil {
			t.Fatal(err)
		}
		var e rulesEncoder
		for range 2 { // the second time from the remembered encodings
			if got := string(e.encode(nil, rs)); got != string(w) {
				t.Fatalf("text %q:\n got  %s\n want %s", s, got, w)
			}
		}
	}
	if got := rulesText(nil); got != "[]" {
		t.Fatalf("no rules: %s", got)
	}
}
