// Package video probes video files and samples frames from them with FFmpeg (through go-astiav, so it
// needs cgo and FFmpeg's libraries), for Qwen3-VL's video input and for the app's thumbnails.
//
//	v, err := video.Open(path)              // probe: container, codec, size, rotation, timing, audio
//	defer v.Close()
//	plan, err := video.DefaultPolicy().Plan(v.Info)  // Qwen3-VL: 2 fps, 4..768 frames, pixel budget
//	for f, err := range v.Sample(ctx, plan.Times, video.Options{Width: plan.Width, Height: plan.Height}) {
//		// f.RGB, f.Time (the frame's true presentation time), f.Index
//	}
//
// # Probing
//
// Open reads the headers, decodes the first frame and reads the first and last seconds of the file, so
// that bad inputs fail there with an *Error whose Kind says what is wrong: ErrEmpty, ErrNotMedia
// (FFmpeg's content probes recognise nothing), ErrImage (a picture, renamed or not), ErrNoVideo (audio
// only, or audio with cover art), ErrUnsupportedCodec, ErrCorrupt (truncated or damaged: the data ends
// well before the headers say, or cannot be read) and ErrZeroDuration (a video stream without frames).
//
// # Time
//
// Times are seconds from the start of the video: the container's start time (Info.StartTime, non-zero
// in e.g. MPEG-TS) is time 0, as in players and in `ffmpeg -ss`. A frame's time is its presentation
// timestamp (FFmpeg's best-effort timestamp), so variable frame rate and unusual time bases come out
// right; it is what the prompt's "<t seconds>" uses (TemporalTimestamps, FormatTimestamp).
//
// # Sampling
//
// Sample takes any list of times; Policy.Plan (Qwen3-VL's policy as qwen-vl-utils implements it, spec
// §6.3) and EvenTimes (N frames evenly spaced) produce such lists. In Exact mode each time gets the frame
// shown at it: the last frame whose presentation time is at or before it. Sample seeks to the keyframe
// before the time and decodes forward, or keeps decoding forward when the time is less than a keyframe
// interval ahead. On the way, H.264 pictures nothing refers to (non-reference B-frames) are not decoded
// unless one of them is the answer, which halves the work on typical streams. In Fast mode each time gets
// the nearest keyframe, decoding only that keyframe.
//
// Requests are split into runs decoded by concurrent workers (one per core by default), each with its
// own demuxer and decoder. Frames are handed out in time order as a stream, and at most a few frames
// wait at any time, so memory does not grow with the number of requests or the length of the video.
// Cancelling the context, or breaking out of the loop, stops the workers and frees their C resources.
//
// # Decoders and seeking
//
// go-astiav v0.16.0 does not bind avcodec_flush_buffers. Without it a decoder cannot be emptied after a
// seek (frames buffered before the seek come out first) nor reused after being drained. Workers therefore
// free the decoder and open a new one at every seek; this costs far less than the decoding a seek saves.
//
// # Pictures
//
// Frames are converted to packed RGB24 at the requested size by swscale (bicubic), using the frame's
// colour matrix and range (which go-astiav's scaler wrapper cannot set, hence a few lines of cgo here).
// Display rotation comes from the stream's display-matrix side data, which go-astiav exposes
// (Stream.SideData), or a legacy "rotate" tag; rotations by multiples of 90 degrees are applied to the
// RGB result in Go, where they are exact pixel permutations. Flips in the matrix and sample aspect ratio
// are not applied (as in qwen-vl-utils and ffmpeg 5.1's CLI).
package video
