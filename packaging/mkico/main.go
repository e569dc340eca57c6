// Command mkico makes a Windows icon (.ico) from a PNG: the picture scaled
// to 256, 64, 48, 32 and 16 pixels, each stored as PNG inside the .ico (as
// Windows Vista and later read it). make windows links the result into
// jitconsole.exe and jitconsole-cli.exe.
//
//	go run ./packaging/mkico assets/icon.png OUT.ico
package main

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"image"
	"image/png"
	"os"
)

// sizes are the square sizes the icon holds, largest first.
var sizes = []int{256, 64, 48, 32, 16}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: mkico IN.png OUT.ico")
		os.Exit(2)
	}
	if err := convert(os.Args[1], os.Args[2]); err != nil {
		fmt.Fprintln(os.Stderr, "mkico:", err)
		os.Exit(1)
	}
}

// convert reads the PNG src and writes the icon dst.
func convert(src, dst string) error {
	f, err := os.Open(src)
	if err != nil {
		return err
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		return fmt.Errorf("decode %s: %w", src, err)
	}
	var images [][]byte
	for _, n := range sizes {
		var buf bytes.Buffer
		if err := png.Encode(&buf, scale(img, n)); err != nil {
			return fmt.Errorf("encode %dx%d: %w", n, n, err)
		}
		images = append(images, buf.Bytes())
	}
	return os.WriteFile(dst, ico(images), 0o644)
}

// ico lays out an ICONDIR, one ICONDIRENTRY per image, then the images.
func ico(images [][]byte) []byte {
	var b bytes.Buffer
	le := func(v any) { _ = binary.Write(&b, binary.LittleEndian, v) }
	le([3]uint16{0, 1, uint16(len(images))}) // reserved, type 1 (icon), count
	offset := 6 + 16*len(images)
	for i, data := range images {
		side := byte(sizes[i]) // 256 is written as 0
		b.Write([]byte{side, side, 0, 0})
		le([2]uint16{1, 32}) // colour planes, bits per pixel
		le([2]uint32{uint32(len(data)), uint32(offset)})
		offset += len(data)
	}
	for _, data := range images {
		b.Write(data)
	}
	return b.Bytes()
}

// scale resizes img to n×n by averaging the source pixels each target
// pixel covers (a box filter: fine for shrinking an icon).
func scale(img image.Image, n int) *image.NRGBA {
	sb := img.Bounds()
	out := image.NewNRGBA(image.Rect(0, 0, n, n))
	for y := 0; y < n; y++ {
		y0, y1 := sb.Min.Y+y*sb.Dy()/n, sb.Min.Y+max((y+1)*sb.Dy()/n, y*sb.Dy()/n+1)
		for x := 0; x < n; x++ {
			x0, x1 := sb.Min.X+x*sb.Dx()/n, sb.Min.X+max((x+1)*sb.Dx()/n, x*sb.Dx()/n+1)
			var r, g, bl, a, count uint64
			for sy := y0; sy < y1; sy++ {
				for sx := x0; sx < x1; sx++ {
					pr, pg, pb, pa := img.At(sx, sy).RGBA() // premultiplied, 16 bit
					r, g, bl, a, count = r+uint64(pr), g+uint64(pg), bl+uint64(pb), a+uint64(pa), count+1
				}
			}
			i := out.PixOffset(x, y)
			if a == 0 {
				continue
			}
			// Back from premultiplied sums to straight 8-bit colour.
			out.Pix[i+0] = uint8(r * 255 / a)
			out.Pix[i+1] = uint8(g * 255 / a)
			out.Pix[i+2] = uint8(bl * 255 / a)
			out.Pix[i+3] = uint8(a / count >> 8)
		}
	}
	return out
}
