package bank

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"qualify/internal/platform/civil"
)

// The repository's own format: question-bank/<subject>/*.yaml, documented in question-bank/SCHEMA.md.

var yamlItemFields = []string{"id", "type", "stem", "options", "answer", "scoring", "points", "explanation", "basis",
	"knowledge_points", "competencies", "difficulty", "cognitive_level", "review_by", "reference_answer", "rubric", "tolerance"}

type yamlBasis struct {
	Document string `yaml:"document"`
	Article  string `yaml:"article,omitempty"`
}

type yamlCriterion struct {
	Criterion string  `yaml:"criterion"`
	Points    float64 `yaml:"points"`
}

type yamlItem struct {
	ID              string          `yaml:"id"`
	Type            string          `yaml:"type"`
	Stem            string          `yaml:"stem"`
	Options         *yaml.Node      `yaml:"options,omitempty"`
	Answer          *yaml.Node      `yaml:"answer,omitempty"`
	Scoring         string          `yaml:"scoring,omitempty"`
	Points          float64         `yaml:"points"`
	Explanation     string          `yaml:"explanation"`
	Basis           []yamlBasis     `yaml:"basis"`
	KnowledgePoints []string        `yaml:"knowledge_points"`
	Competencies    []string        `yaml:"competencies"`
	Difficulty      int             `yaml:"difficulty"`
	CognitiveLevel  string          `yaml:"cognitive_level,omitempty"`
	ReviewBy        string          `yaml:"review_by,omitempty"`
	ReferenceAnswer string          `yaml:"reference_answer,omitempty"`
	Rubric          []yamlCriterion `yaml:"rubric,omitempty"`
	Tolerance       float64         `yaml:"tolerance,omitempty"`
}

// yamlItemIn is yamlItem as read: yaml.v3 decodes nodes into yaml.Node values, not pointers.
type yamlItemIn struct {
	ID              string          `yaml:"id"`
	Type            string          `yaml:"type"`
	Stem            string          `yaml:"stem"`
	Options         yaml.Node       `yaml:"options"`
	Answer          yaml.Node       `yaml:"answer"`
	Scoring         string          `yaml:"scoring"`
	Points          float64         `yaml:"points"`
	Explanation     string          `yaml:"explanation"`
	Basis           []yamlBasis     `yaml:"basis"`
	KnowledgePoints []string        `yaml:"knowledge_points"`
	Competencies    []string        `yaml:"competencies"`
	Difficulty      int             `yaml:"difficulty"`
	CognitiveLevel  string          `yaml:"cognitive_level"`
	ReviewBy        string          `yaml:"review_by"`
	ReferenceAnswer string          `yaml:"reference_answer"`
	Rubric          []yamlCriterion `yaml:"rubric"`
	Tolerance       float64         `yaml:"tolerance"`
}

type yamlFile struct {
	Subject string     `yaml:"subject"`
	Items   []yamlItem `yaml:"items"`
}

// ParseYAML reads one item file. Every problem carries "name:line". Items are returned even when
// some are invalid; the caller imports nothing when Problems is not empty.
func ParseYAML(name string, data []byte, tax Taxonomy) ([]Item, Problems) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, Problems{{Location: name + ":" + yamlErrLine(err), Message: "YAML 格式错误：" + err.Error()}}
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, Problems{{Location: name + ":1", Message: "文件应为含 subject 和 items 的映射"}}
	}
	root := doc.Content[0]
	var ps Problems
	subject := ""
	var itemsNode *yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		switch k.Value {
		case "subject":
			subject = v.Value
			if _, ok := SubjectByCode(subject); !ok {
				ps = append(ps, Problem{Location: fmt.Sprintf("%s:%d", name, v.Line), Field: "subject", Message: fmt.Sprintf("未知科目 %q", subject)})
			}
		case "items":
			itemsNode = v
		default:
			ps = append(ps, Problem{Location: fmt.Sprintf("%s:%d", name, k.Line), Message: fmt.Sprintf("未知字段 %q", k.Value)})
		}
	}
	if itemsNode == nil || itemsNode.Kind != yaml.SequenceNode {
		return nil, append(ps, Problem{Location: name + ":1", Field: "items", Message: "缺少题目列表 items"})
	}
	var items []Item
	for _, n := range itemsNode.Content {
		loc := fmt.Sprintf("%s:%d", name, n.Line)
		it, p := parseYAMLItem(n, loc, subject, tax)
		ps = append(ps, p...)
		it.Source = name
		items = append(items, it)
	}
	seen := map[string]string{}
	for _, it := range items {
		if it.Ref == "" {
			continue
		}
		if prev, dup := seen[it.Ref]; dup {
			ps = append(ps, Problem{Location: it.Source, Field: "id", Message: fmt.Sprintf("编号 %s 重复（另见 %s）", it.Ref, prev)})
		}
		seen[it.Ref] = it.Source
	}
	return items, ps
}

func yamlErrLine(err error) string {
	s := err.Error()
	if i := strings.Index(s, "line "); i >= 0 {
		var n int
		if _, e := fmt.Sscanf(s[i:], "line %d", &n); e == nil {
			return fmt.Sprint(n)
		}
	}
	return "1"
}

func parseYAMLItem(n *yaml.Node, loc, subject string, tax Taxonomy) (Item, Problems) {
	var ps Problems
	if n.Kind != yaml.MappingNode {
		return Item{}, Problems{{Location: loc, Message: "题目应为映射"}}
	}
	lines := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		lines[k.Value] = k.Line
		if !slices.Contains(yamlItemFields, k.Value) {
			ps = append(ps, Problem{Location: fmt.Sprintf("%s:%d", strings.SplitN(loc, ":", 2)[0], k.Line), Message: fmt.Sprintf("未知字段 %q", k.Value)})
		}
	}
	var in yamlItemIn
	if err := n.Decode(&in); err != nil {
		return Item{}, append(ps, Problem{Location: loc, Message: "字段类型错误：" + err.Error()})
	}
	y := yamlItem{ID: in.ID, Type: in.Type, Stem: in.Stem, Scoring: in.Scoring, Points: in.Points, Explanation: in.Explanation,
		Basis: in.Basis, KnowledgePoints: in.KnowledgePoints, Competencies: in.Competencies, Difficulty: in.Difficulty,
		CognitiveLevel: in.CognitiveLevel, ReviewBy: in.ReviewBy, ReferenceAnswer: in.ReferenceAnswer, Rubric: in.Rubric, Tolerance: in.Tolerance}
	if in.Options.Kind != 0 {
		y.Options = &in.Options
	}
	if in.Answer.Kind != 0 {
		y.Answer = &in.Answer
	}
	if y.ID != "" {
		loc = loc + " (" + y.ID + ")"
	}
	it := Item{Ref: y.ID, Subject: subject, Type: Type(y.Type), Stem: strings.TrimRight(y.Stem, "\n"), Scoring: Scoring(y.Scoring),
		Points: y.Points, Explanation: strings.TrimRight(y.Explanation, "\n"), KnowledgePoints: y.KnowledgePoints,
		Competencies: y.Competencies, Difficulty: y.Difficulty, CognitiveLevel: y.CognitiveLevel,
		ReferenceAnswer: strings.TrimRight(y.ReferenceAnswer, "\n"), Tolerance: y.Tolerance, Status: Published}
	if y.ID == "" {
		ps = append(ps, Problem{Location: loc, Field: "id", Message: "缺少编号 id"})
	} else if s, ok := SubjectByCode(subject); ok && !strings.HasPrefix(y.ID, s.Prefix) {
		ps = append(ps, Problem{Location: loc, Field: "id", Message: fmt.Sprintf("%s 科目的编号应以 %s 开头", subject, s.Prefix)})
	}
	for _, b := range y.Basis {
		it.Basis = append(it.Basis, Basis{Document: b.Document, Article: b.Article})
	}
	for _, c := range y.Rubric {
		it.Rubric = append(it.Rubric, Criterion{Criterion: c.Criterion, Points: c.Points})
	}
	if y.ReviewBy != "" {
		d, err := civil.Parse(y.ReviewBy)
		if err != nil {
			ps = append(ps, Problem{Location: loc, Field: "review_by", Message: "复核日期应为 YYYY-MM-DD"})
		}
		it.ReviewBy = d
	}
	if y.Options != nil {
		if y.Options.Kind != yaml.MappingNode {
			ps = append(ps, Problem{Location: loc, Field: "options", Message: "选项应为 A: 内容 形式的映射"})
		} else {
			for i := 0; i+1 < len(y.Options.Content); i += 2 {
				it.Options = append(it.Options, Option{Key: y.Options.Content[i].Value, Text: strings.TrimSpace(y.Options.Content[i+1].Value)})
			}
		}
	}
	if p := decodeKey(&it, y.Answer); p != "" {
		ps = append(ps, Problem{Location: loc, Field: "answer", Message: p})
	}
	ps = append(ps, it.Validate(loc, tax)...)
	return it, ps
}

// decodeKey reads the answer node for the item's type; it returns a problem or "".
func decodeKey(it *Item, n *yaml.Node) string {
	if it.Type.Written() {
		if n != nil {
			return "主观题不写 answer，请用 reference_answer 和 rubric"
		}
		return ""
	}
	if n == nil {
		return "缺少答案 answer"
	}
	switch it.Type {
	case Single:
		if n.Kind != yaml.ScalarNode {
			return "单选题答案应为一个选项字母"
		}
		it.Key.Choice = n.Value
	case Multiple:
		if err := n.Decode(&it.Key.Choices); err != nil {
			return "多选题答案应为选项字母列表，如 [A, C]"
		}
	case TrueFalse:
		var b bool
		if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" || n.Decode(&b) != nil {
			return "判断题答案应为 true 或 false"
		}
		it.Key.Bool = &b
	case FillBlank:
		var blanks [][]string
		if err := n.Decode(&blanks); err != nil {
			return "填空题答案应为每空一组可接受答案的列表，如 [[答案一, 同义], [答案二]]"
		}
		it.Key.Blanks = blanks
	}
	return ""
}

// ExportYAML writes items of one subject in the repository's format.
func ExportYAML(subject string, items []Item) ([]byte, error) {
	f := yamlFile{Subject: subject}
	for _, it := range items {
		y := yamlItem{ID: it.Ref, Type: string(it.Type), Stem: it.Stem, Scoring: string(it.Scoring), Points: it.Points,
			Explanation: it.Explanation, KnowledgePoints: it.KnowledgePoints, Competencies: it.Competencies,
			Difficulty: it.Difficulty, CognitiveLevel: it.CognitiveLevel, ReferenceAnswer: it.ReferenceAnswer, Tolerance: it.Tolerance,
			Basis: []yamlBasis{}}
		if y.Scoring == string(AllOrNothing) {
			y.Scoring = ""
		}
		if !it.ReviewBy.IsZero() {
			y.ReviewBy = it.ReviewBy.String()
		}
		for _, b := range it.Basis {
			y.Basis = append(y.Basis, yamlBasis{b.Document, b.Article})
		}
		for _, c := range it.Rubric {
			y.Rubric = append(y.Rubric, yamlCriterion{c.Criterion, c.Points})
		}
		if len(it.Options) > 0 {
			m := &yaml.Node{Kind: yaml.MappingNode}
			for _, o := range it.Options {
				m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: o.Key}, &yaml.Node{Kind: yaml.ScalarNode, Value: o.Text})
			}
			y.Options = m
		}
		var key any
		switch it.Type {
		case Single:
			key = it.Key.Choice
		case Multiple:
			key = it.Key.Choices
		case TrueFalse:
			if it.Key.Bool != nil {
				key = *it.Key.Bool
			}
		case FillBlank:
			key = it.Key.Blanks
		}
		if key != nil {
			var n yaml.Node
			if err := n.Encode(key); err != nil {
				return nil, err
			}
			if n.Kind == yaml.SequenceNode {
				n.Style = yaml.FlowStyle
				for _, c := range n.Content {
					c.Style = yaml.FlowStyle
				}
			}
			y.Answer = &n
		}
		f.Items = append(f.Items, y)
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(f); err != nil {
		return nil, err
	}
	return buf.Bytes(), enc.Close()
}
