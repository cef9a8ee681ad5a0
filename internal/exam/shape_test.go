package exam

import (
	"testing"

	"qualify/internal/platform/apperr"
)

func TestCheckAnswerShape(t *testing.T) {
	cases := []struct {
		options int
		value   string
		ok      bool
	}{
		{4, `"A"`, true},
		{4, `"D"`, true},
		{4, `"E"`, false},      // no fifth option
		{4, `"a"`, false},      // display letters are capitals
		{4, `"甲"`, false},      // one character that is not a letter shown
		{4, `"第一种说法正确"`, true}, // longer text: a written answer's shape
		{4, `["A","C"]`, true}, // multiple choice
		{4, `["A",1]`, false},  // every element a string
		{4, `true`, true},      // true/false
		{4, `5`, false},        // numbers are no answer shape
		{4, `null`, true},      // cleared
		{4, `{"A":1}`, false},  // objects neither
		{4, `"A`, false},       // not JSON
		{0, `"E"`, true},       // fill-in: any one-character text
		{2, `"B"`, true},       // true/false shown as two options
		{2, `"C"`, false},
	}
	for _, c := range cases {
		err := checkAnswerShape(c.options, []byte(c.value))
		if (err == nil) != c.ok {
			t.Errorf("%d options, %s: error %v, want ok=%v", c.options, c.value, err, c.ok)
		}
		if err != nil && apperr.As(err).Code != "invalid_answer" {
			t.Errorf("%s: code %s", c.value, apperr.As(err).Code)
		}
	}
	big := make([]byte, maxAnswerBytes+1)
	if checkAnswerShape(0, big) == nil {
		t.Error("oversized answer accepted")
	}
}

func TestPaperFactsQuestion(t *testing.T) {
	f := newPaperCache(2).put(1, Attempt{CadreID: 9, Paper: Paper{Questions: []Question{
		{ItemID: 30, Order: []string{"B", "A", "C", "D"}}, {ItemID: 10}, {ItemID: 20, Order: []string{"T", "F"}}}}})
	for _, c := range []struct {
		item    int64
		options int
		ok      bool
	}{{10, 0, true}, {20, 2, true}, {30, 4, true}, {15, 0, false}, {40, 0, false}} {
		n, ok := f.question(c.item)
		if n != c.options || ok != c.ok {
			t.Errorf("item %d: %d %v, want %d %v", c.item, n, ok, c.options, c.ok)
		}
	}
	if f.cadreID != 9 {
		t.Error("owner lost")
	}
}
