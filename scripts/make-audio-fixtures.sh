#!/usr/bin/env bash
# Regenerates test/fixtures/audio/: one short synthesised sentence (flite) encoded in every
# container, codec, bit depth, rate and channel layout the decoder must handle.
# Needs flite, sox and ffmpeg (scripts/ensure-system-deps.sh test installs them).
# Clips are short (0.5-2 s) so the committed folder stays well under 400 KB.
set -euo pipefail
out=${1:-"$(cd "$(dirname "$0")/.." && pwd)/test/fixtures/audio"}
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Speech: flite writes 16 kHz, 16-bit mono. The stereo source puts a delayed copy on the
# right channel so a downmix is not a plain copy.
flite -voice slt -t "The quick brown fox jumps over the lazy dog." -o "$tmp/speech.wav"
sox "$tmp/speech.wav" "$tmp/stereo.wav" remix 1 1 delay 0 0.01 trim 0 2.0
ff() { ffmpeg -nostdin -hide_banner -loglevel error -y -bitexact "$@"; }
clip() { # clip <seconds> <channels> <rate> <extra ffmpeg args...> <output>
  local secs=$1 ch=$2 rate=$3
  shift 3
  local src="$tmp/speech.wav"
  if ((ch > 1)); then src="$tmp/stereo.wav"; fi
  ff -i "$src" -t "$secs" -ac "$ch" -ar "$rate" -fflags +bitexact -flags:a +bitexact "$@"
}

# WAV: every sample format, rates from 8 kHz to 48 kHz, mono/stereo/5.1.
clip 2.0 1 16000 -c:a pcm_s16le "$out/speech-s16-16k-mono.wav"
clip 1.0 1 8000 -c:a pcm_u8 "$out/speech-u8-8k-mono.wav"
clip 0.3 2 22050 -c:a pcm_s24le "$out/speech-s24-22k-stereo.wav"
clip 0.5 1 11025 -c:a pcm_s32le "$out/speech-s32-11k-mono.wav"
clip 0.3 1 22050 -c:a pcm_f32le "$out/speech-f32-22k-mono.wav"
clip 0.3 1 8000 -c:a pcm_f64le "$out/speech-f64-8k-mono.wav"
# More than two channels: ffmpeg writes WAVE_FORMAT_EXTENSIBLE with a channel mask.
clip 0.25 6 8000 -c:a pcm_s16le -af "pan=5.1|FL=c0|FR=c1|FC=c0|LFE=c1|BL=c0|BR=c1" \
  "$out/speech-s16-8k-5.1-extensible.wav"
# 48 kHz 24-bit mono (ffmpeg writes WAVE_FORMAT_EXTENSIBLE for more than 16 bits).
clip 0.25 1 48000 -c:a pcm_s24le "$out/speech-s24-48k-mono.wav"

# Compressed formats.
clip 0.5 2 44100 -c:a flac -sample_fmt s16 "$out/speech-44k-stereo.flac"
clip 2.0 1 16000 -c:a flac -sample_fmt s32 "$out/speech-16k-mono-24bit.flac"
clip 2.0 2 44100 -c:a libmp3lame -b:a 64k "$out/speech-44k-stereo.mp3"
clip 2.0 1 22050 -c:a libmp3lame -b:a 32k "$out/speech-22k-mono.mp3"
clip 2.0 1 48000 -c:a libvorbis -q:a 0 "$out/speech-48k-mono.ogg"
clip 2.0 2 44100 -c:a libvorbis -q:a 0 "$out/speech-44k-stereo-vorbis.ogg"
clip 2.0 1 16000 -c:a libopus -b:a 24k "$out/speech-16k-mono.opus"
clip 2.0 2 48000 -c:a libopus -b:a 32k "$out/speech-48k-stereo-opus.ogg"

du -ch "$out"/* | tail -1
