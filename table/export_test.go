package table

import (
	"reflect"
	"unsafe"
)

func reflectNewAt(l *Layout, p unsafe.Pointer) any {
	return reflect.NewAt(l.Type, p).Elem().Interface()
}
