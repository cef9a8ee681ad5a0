package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
	"github.com/go-playground/validator/v10"

	"qualify/internal/platform/apperr"
)

var validate = func() *validator.Validate {
	v := validator.New(validator.WithRequiredStructEnabled())
	v.RegisterTagNameFunc(func(f reflect.StructField) string {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			return ""
		}
		return name
	})
	return v
}()

func jsonRender(w http.ResponseWriter, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// bindJSON decodes the body strictly into dst and validates it: unknown fields, duplicate keys,
// trailing data, invalid UTF-8 and oversized bodies are refused with field-level messages.
func bindJSON(c *gin.Context, maxBytes int64, dst any) error {
	ct := c.ContentType()
	if ct != "application/json" && ct != "" {
		return apperr.New(apperr.Invalid, "unsupported_media_type", "请求体须为 application/json")
	}
	body, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, maxBytes))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return apperr.New(apperr.Invalid, "body_too_large", fmt.Sprintf("请求体超过 %d 字节上限", maxBytes))
		}
		return apperr.New(apperr.Invalid, "invalid_body", "无法读取请求体")
	}
	return decodeStrict(body, dst)
}

// decodeStrict is bindJSON's decoder, over a body already read.
func decodeStrict(body []byte, dst any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return apperr.New(apperr.Invalid, "invalid_json", "请求体为空")
	}
	if !utf8.Valid(body) {
		return apperr.New(apperr.Invalid, "invalid_json", "请求体不是有效的 UTF-8 文本")
	}
	if path, ok := duplicateKey(body); ok {
		return apperr.InvalidFields("invalid_json", "请求体含有重复的字段", apperr.FieldError{Field: path, Message: "字段重复出现"})
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return apperr.New(apperr.Invalid, "invalid_json", "请求体在 JSON 值之后还有多余内容")
	}
	return validateStruct(dst)
}

func jsonError(err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return apperr.New(apperr.Invalid, "invalid_json", fmt.Sprintf("JSON 语法错误（第 %d 字节附近）", se.Offset))
	case errors.As(err, &te):
		return apperr.InvalidFields("invalid_field", "字段类型错误",
			apperr.FieldError{Field: te.Field, Message: fmt.Sprintf("应为 %s 类型", jsonKind(te.Type))})
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return apperr.InvalidFields("unknown_field", "请求体含有未知字段", apperr.FieldError{Field: name, Message: "未知字段"})
	case errors.Is(err, io.ErrUnexpectedEOF):
		return apperr.New(apperr.Invalid, "invalid_json", "JSON 不完整")
	}
	// Errors from a field's own UnmarshalJSON (dates and the like) carry a Chinese message.
	return apperr.New(apperr.Invalid, "invalid_json", "请求体无效："+err.Error())
}

func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "字符串"
	case reflect.Bool:
		return "布尔"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return "数字"
	case reflect.Slice, reflect.Array:
		return "数组"
	}
	return "对象"
}

// duplicateKey returns the path of the first key repeated within one JSON object.
func duplicateKey(body []byte) (string, bool) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	p, dup, _ := dupWalk(dec, "")
	return p, dup
}

func dupWalk(dec *json.Decoder, path string) (string, bool, error) {
	tok, err := dec.Token()
	if err != nil {
		return "", false, err // syntax errors are reported by the real decoder
	}
	d, ok := tok.(json.Delim)
	if !ok {
		return "", false, nil
	}
	join := func(k string) string {
		if path == "" {
			return k
		}
		return path + "." + k
	}
	switch d {
	case '{':
		seen := map[string]bool{}
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return "", false, err
			}
			k, _ := kt.(string)
			if seen[k] {
				return join(k), true, nil
			}
			seen[k] = true
			if p, dup, err := dupWalk(dec, join(k)); err != nil || dup {
				return p, dup, err
			}
		}
	case '[':
		for i := 0; dec.More(); i++ {
			if p, dup, err := dupWalk(dec, fmt.Sprintf("%s[%d]", path, i)); err != nil || dup {
				return p, dup, err
			}
		}
	}
	_, err = dec.Token() // the closing delimiter
	return "", false, err
}

var tagMessages = map[string]string{
	"required": "必填", "min": "过短或过小", "max": "过长或过大", "oneof": "取值不在允许范围内",
	"email": "邮箱格式错误", "gte": "过小", "lte": "过大", "gt": "须大于下限", "dive": "元素无效",
}

// validateStruct applies `validate` tags and reports every field error at once.
func validateStruct(dst any) error {
	if err := validate.Struct(dst); err != nil {
		var ves validator.ValidationErrors
		if !errors.As(err, &ves) {
			return nil // not a struct (e.g. a slice body): nothing to validate by tags
		}
		fields := make([]apperr.FieldError, 0, len(ves))
		for _, fe := range ves {
			msg := tagMessages[fe.Tag()]
			if msg == "" {
				msg = "无效"
			}
			if fe.Param() != "" && (fe.Tag() == "min" || fe.Tag() == "max" || fe.Tag() == "oneof") {
				msg += "（" + fe.Param() + "）"
			}
			ns := fe.Namespace()
			if i := strings.IndexByte(ns, '.'); i >= 0 {
				ns = ns[i+1:]
			}
			fields = append(fields, apperr.FieldError{Field: ns, Message: msg})
		}
		return apperr.InvalidFields("validation_failed", "请求参数校验未通过", fields...)
	}
	return nil
}
