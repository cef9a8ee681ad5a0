// Package apperr is Qualify's one error vocabulary. Services return *Error values with a Kind,
// a stable snake_case Code and a Chinese message; the HTTP layer maps Kind to a status once.
package apperr

import (
	"errors"
	"fmt"
)

// Kind classifies an error for mapping to a transport status.
type Kind int

// The kinds of error a service may return.
const (
	Internal Kind = iota
	Invalid
	NotFound
	Conflict
	Unauthenticated
	Forbidden
	FailedPrecondition
	Locked
	TooManyRequests
	Unavailable
)

// FieldError names one invalid input field.
type FieldError struct {
	Field   string
	Message string
}

// Error is a domain error carrying what a client needs to react to it.
type Error struct {
	Kind    Kind
	Code    string // stable snake_case code, e.g. "account_locked"
	Message string // Chinese message for people
	Fields  []FieldError
	Err     error // wrapped cause, never shown to clients
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return e.Code + ": " + e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// New returns an error of the given kind, code and message.
func New(kind Kind, code, message string) *Error {
	return &Error{Kind: kind, Code: code, Message: message}
}

// InvalidFields returns an Invalid error listing every bad field.
func InvalidFields(code, message string, fields ...FieldError) *Error {
	return &Error{Kind: Invalid, Code: code, Message: message, Fields: fields}
}

// NotFoundf returns a NotFound error with code "not_found".
func NotFoundf(format string, args ...any) *Error {
	return &Error{Kind: NotFound, Code: "not_found", Message: fmt.Sprintf(format, args...)}
}

// Wrap returns an Internal error wrapping err; the cause is logged, never shown.
func Wrap(err error, what string) error {
	if err == nil {
		return nil
	}
	var ae *Error
	if errors.As(err, &ae) {
		return err
	}
	return &Error{Kind: Internal, Code: "internal", Message: "服务器内部错误", Err: fmt.Errorf("%s: %w", what, err)}
}

// As returns the *Error in err's chain, or an Internal error wrapping err.
func As(err error) *Error {
	var ae *Error
	if errors.As(err, &ae) {
		return ae
	}
	return &Error{Kind: Internal, Code: "internal", Message: "服务器内部错误", Err: err}
}

// Is reports whether err is an *Error with the given code.
func Is(err error, code string) bool {
	var ae *Error
	return errors.As(err, &ae) && ae.Code == code
}

// KindOf returns the kind of err (Internal for foreign errors).
func KindOf(err error) Kind { return As(err).Kind }
