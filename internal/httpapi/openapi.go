package httpapi

import (
	"encoding/json"
	"net/http"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"qualify/internal/platform/civil"
)

var pathParamRe = regexp.MustCompile(`:([A-Za-z]+)`)

// openapi serves an OpenAPI 3 document generated from the registered routes and their DTOs, so
// that it describes every route by construction.
func (a *API) openapi(c *gin.Context) {
	a.openapiOnce.Do(func() { a.openapiDoc, _ = json.Marshal(a.buildOpenAPI()) })
	c.Data(http.StatusOK, "application/json; charset=utf-8", a.openapiDoc)
}

type openapiCache struct {
	openapiOnce sync.Once
	openapiDoc  []byte
}

func (a *API) buildOpenAPI() map[string]any {
	paths := map[string]map[string]any{}
	schemas := map[string]any{}
	for _, r := range a.routes {
		p := pathParamRe.ReplaceAllString(r.Path, "{$1}")
		if paths[p] == nil {
			paths[p] = map[string]any{}
		}
		op := map[string]any{"summary": r.Summary, "tags": []string{r.Tag}, "operationId": strings.ToLower(r.Method) + opName(p)}
		var params []any
		for _, m := range pathParamRe.FindAllStringSubmatch(r.Path, -1) {
			params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
		}
		for _, q := range r.Query {
			params = append(params, map[string]any{"name": q, "in": "query", "required": false, "schema": map[string]any{"type": "string"}})
		}
		if len(params) > 0 {
			op["parameters"] = params
		}
		if r.Request != nil {
			op["requestBody"] = map[string]any{"required": true, "content": map[string]any{
				"application/json": map[string]any{"schema": schemaOf(reflect.TypeOf(r.Request), schemas)}}}
		}
		resp := map[string]any{"description": "成功"}
		switch {
		case r.Raw != "":
			resp["content"] = map[string]any{r.Raw: map[string]any{"schema": map[string]any{"type": "string"}}}
		case r.Response != nil:
			resp["content"] = map[string]any{"application/json": map[string]any{"schema": schemaOf(reflect.TypeOf(r.Response), schemas)}}
		}
		responses := map[string]any{itoa(r.Status): resp, "default": map[string]any{"description": "错误（RFC 9457 problem+json）",
			"content": map[string]any{"application/problem+json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/Problem"}}}}}
		op["responses"] = responses
		if !r.Public {
			op["security"] = []any{map[string]any{"bearer": []string{}}}
			if len(r.Roles) > 0 {
				roles := make([]string, len(r.Roles))
				for i, x := range r.Roles {
					roles[i] = string(x)
				}
				op["x-roles"] = roles
			}
		}
		paths[p][strings.ToLower(r.Method)] = op
	}
	schemas["Problem"] = schemaOf(reflect.TypeOf(problem{}), schemas)
	return map[string]any{
		"openapi": "3.0.3",
		"info":    map[string]any{"title": "Qualify 任职资格考试与培训平台 API", "version": "1.0.0"},
		"paths":   paths,
		"components": map[string]any{
			"schemas":         schemas,
			"securitySchemes": map[string]any{"bearer": map[string]any{"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
		},
	}
}

func opName(p string) string {
	var b strings.Builder
	for _, part := range strings.FieldsFunc(p, func(r rune) bool { return r == '/' || r == '{' || r == '}' || r == '-' || r == '.' }) {
		if part == "api" || part == "v1" {
			continue
		}
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return b.String()
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

var (
	timeType     = reflect.TypeOf(time.Time{})
	dateType     = reflect.TypeOf(civil.Date{})
	rawJSONType  = reflect.TypeOf(json.RawMessage{})
	genericNameR = regexp.MustCompile(`[^A-Za-z0-9]+`)
)

// schemaOf returns a JSON schema for t, registering named structs in schemas.
func schemaOf(t reflect.Type, schemas map[string]any) map[string]any {
	switch t {
	case timeType:
		return map[string]any{"type": "string", "format": "date-time"}
	case dateType:
		return map[string]any{"type": "string", "format": "date", "nullable": true}
	case rawJSONType:
		return map[string]any{}
	}
	switch t.Kind() {
	case reflect.Pointer:
		s := schemaOf(t.Elem(), schemas)
		if _, ref := s["$ref"]; ref {
			return map[string]any{"allOf": []any{s}, "nullable": true}
		}
		s["nullable"] = true
		return s
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return map[string]any{"type": "integer"}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.Slice, reflect.Array:
		return map[string]any{"type": "array", "items": schemaOf(t.Elem(), schemas)}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": schemaOf(t.Elem(), schemas)}
	case reflect.Interface:
		return map[string]any{}
	case reflect.Struct:
		name := genericNameR.ReplaceAllString(t.Name(), "_")
		if name == "" {
			return structSchema(t, schemas)
		}
		name = strings.ToUpper(name[:1]) + name[1:]
		if _, ok := schemas[name]; !ok {
			schemas[name] = map[string]any{} // placeholder against recursion
			schemas[name] = structSchema(t, schemas)
		}
		return map[string]any{"$ref": "#/components/schemas/" + name}
	}
	return map[string]any{}
}

func structSchema(t reflect.Type, schemas map[string]any) map[string]any {
	props := map[string]any{}
	var required []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("json")
		name, opts, _ := strings.Cut(tag, ",")
		if name == "-" {
			continue
		}
		if f.Anonymous && name == "" {
			if s, ok := structSchema(f.Type, schemas)["properties"].(map[string]any); ok {
				for k, v := range s {
					props[k] = v
				}
			}
			continue
		}
		if name == "" {
			name = f.Name
		}
		props[name] = schemaOf(f.Type, schemas)
		if strings.Contains(f.Tag.Get("validate"), "required") && !strings.Contains(opts, "omitempty") {
			required = append(required, name)
		}
	}
	s := map[string]any{"type": "object", "properties": props}
	if len(required) > 0 {
		s["required"] = required
	}
	return s
}
