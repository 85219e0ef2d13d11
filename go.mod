module github.com/qwenstudio/qwenstudio

go 1.26.0

require (
	github.com/ardanlabs/jinja v1.8.0 // indirect
	github.com/asticode/go-astiav v0.16.0 // indirect
	github.com/asticode/go-astikit v0.42.0 // indirect
	golang.org/x/sys v0.50.0 // indirect
	golang.org/x/text v0.44.0 // indirect
)
