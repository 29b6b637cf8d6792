// The record button of the mock interview and the explain drill. The microphone is read through
// the Web Audio API, its level shown on a <meter> with words beside it, and the samples encoded
// here as 16-bit mono PCM WAV and sent only to this server (the address in data-post, with the
// CSRF token). The server answers with a job; its status is polled for the percentage until the
// judged answer's page is ready, or its one error is shown. A ScriptProcessorNode collects the
// samples: it is deprecated but everywhere, and an AudioWorklet would need a second script file
// for no gain at this size.
"use strict";
(function () {
  const box = document.getElementById("recorder");
  if (!box) return;
  const startButton = document.getElementById("record-start");
  const stopButton = document.getElementById("record-stop");
  const meter = document.getElementById("record-level");
  const levelText = document.getElementById("record-level-text");
  const status = document.getElementById("record-status");
  const progress = document.getElementById("record-progress");
  const errorBox = document.getElementById("record-error");
  // Not a live region: a clock read out every second would drown everything else.
  const elapsed = document.getElementById("record-time");
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const maxSeconds = Number(box.dataset.maxSeconds) || 600;
  // The server accepts up to 48 kHz; a faster device is averaged down by a whole factor.
  const MAX_RATE = 48000;

  let stream = null;
  let context = null;
  let processor = null;
  let chunks = [];
  let frames = 0;
  let rate = 0;
  let started = 0;
  let timer = null;
  let lastLevel = 0;

  function clock(seconds) {
    const s = Math.max(0, Math.round(seconds));
    return Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
  }

  function fail(message) {
    errorBox.textContent = message;
    errorBox.hidden = false;
    status.textContent = "";
    progress.hidden = true;
    startButton.disabled = false;
    stopButton.disabled = true;
    startButton.textContent = "Record again";
  }

  function release() {
    if (timer) clearInterval(timer);
    timer = null;
    if (processor) processor.disconnect();
    if (stream) stream.getTracks().forEach(function (t) { t.stop(); });
    if (context) context.close();
    processor = null;
    stream = null;
    context = null;
    meter.value = 0;
    levelText.textContent = "not recording";
    elapsed.textContent = "";
  }

  // The level in words as well as on the meter, so it reads without colour or sight.
  function showLevel(rms) {
    const db = 20 * Math.log10(rms + 1e-9);
    meter.value = Math.max(0, Math.min(1, (db + 60) / 60));
    const now = Date.now();
    if (now - lastLevel < 250) return;
    lastLevel = now;
    const words = db < -50 ? "silent: check the microphone" : db < -35 ? "quiet" : db > -3 ? "too loud" : "good";
    levelText.textContent = Math.round(db) + " dB, " + words;
  }

  async function start() {
    errorBox.hidden = true;
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia || !window.AudioContext) {
      fail("This browser cannot record here. Type the answer instead, or record it with any recorder and run debrief mock --audio FILE.");
      return;
    }
    startButton.disabled = true;
    try {
      stream = await navigator.mediaDevices.getUserMedia({
        audio: { channelCount: 1, echoCancellation: false, noiseSuppression: false, autoGainControl: true },
      });
    } catch (e) {
      release();
      fail("The microphone could not be opened (" + e.name + "): allow this page to use it, then press Record again.");
      return;
    }
    context = new AudioContext();
    // Created after the permission prompt, it may start suspended; the click allows resuming.
    if (context.state === "suspended") await context.resume();
    rate = context.sampleRate;
    const source = context.createMediaStreamSource(stream);
    processor = context.createScriptProcessor(4096, 1, 1);
    chunks = [];
    frames = 0;
    processor.onaudioprocess = function (event) {
      const input = event.inputBuffer.getChannelData(0);
      chunks.push(new Float32Array(input));
      frames += input.length;
      let sum = 0;
      for (let i = 0; i < input.length; i++) sum += input[i] * input[i];
      showLevel(Math.sqrt(sum / input.length));
      if (frames / rate >= maxSeconds) stop();
    };
    source.connect(processor);
    // A processor runs only while connected to the output; it writes nothing, so nothing is heard.
    processor.connect(context.destination);
    started = Date.now();
    status.textContent = "Recording. Press Stop and judge when you are done.";
    stopButton.disabled = false;
    stopButton.focus();
    timer = setInterval(function () {
      elapsed.textContent = clock((Date.now() - started) / 1000) + " recorded, at most " + clock(maxSeconds);
    }, 1000);
  }

  // Mono samples (-1..1) at `sampleRate` as a 16-bit PCM WAV file.
  function wav(samples, sampleRate) {
    const buffer = new ArrayBuffer(44 + samples.length * 2);
    const view = new DataView(buffer);
    const text = function (at, s) { for (let i = 0; i < s.length; i++) view.setUint8(at + i, s.charCodeAt(i)); };
    text(0, "RIFF");
    view.setUint32(4, 36 + samples.length * 2, true);
    text(8, "WAVE");
    text(12, "fmt ");
    view.setUint32(16, 16, true);
    view.setUint16(20, 1, true); // PCM
    view.setUint16(22, 1, true); // mono
    view.setUint32(24, sampleRate, true);
    view.setUint32(28, sampleRate * 2, true);
    view.setUint16(32, 2, true);
    view.setUint16(34, 16, true);
    text(36, "data");
    view.setUint32(40, samples.length * 2, true);
    for (let i = 0; i < samples.length; i++) {
      const s = Math.max(-1, Math.min(1, samples[i]));
      view.setInt16(44 + i * 2, s < 0 ? s * 0x8000 : s * 0x7fff, true);
    }
    return new Blob([buffer], { type: "audio/wav" });
  }

  function collected() {
    const factor = Math.max(1, Math.ceil(rate / MAX_RATE));
    const out = new Float32Array(Math.floor(frames / factor));
    let at = 0;
    let acc = 0;
    let n = 0;
    for (const chunk of chunks) {
      for (let i = 0; i < chunk.length; i++) {
        acc += chunk[i];
        n += 1;
        if (n === factor) {
          if (at < out.length) out[at++] = acc / factor;
          acc = 0;
          n = 0;
        }
      }
    }
    return { samples: out, rate: Math.round(rate / factor) };
  }

  function sleep(ms) {
    return new Promise(function (resolve) { setTimeout(resolve, ms); });
  }

  async function stop() {
    if (!processor) return;
    stopButton.disabled = true;
    const audio = collected();
    release();
    chunks = [];
    status.textContent = "Sending the recording to this server…";
    let answer;
    try {
      const res = await fetch(box.dataset.post, {
        method: "POST",
        headers: { "Content-Type": "audio/wav", "X-CSRF-Token": csrf },
        body: wav(audio.samples, audio.rate),
      });
      answer = await res.json();
      if (!res.ok) {
        fail(answer.error || "The recording was refused (" + res.status + ").");
        return;
      }
    } catch (e) {
      fail("The recording could not be sent: is debrief serve still running?");
      return;
    }
    progress.hidden = false;
    progress.value = 0;
    status.textContent = "Transcribing on this machine…";
    let said = -1;
    for (;;) {
      await sleep(500);
      let job;
      try {
        const res = await fetch(answer.status, { headers: { Accept: "application/json" } });
        job = await res.json();
        if (!res.ok) {
          fail(job.error || "The transcription's status is unknown (" + res.status + ").");
          return;
        }
      } catch (e) {
        fail("The server stopped answering: is debrief serve still running?");
        return;
      }
      if (job.state === "queued") {
        status.textContent = "Waiting for the speech model…";
      } else if (job.state === "transcribing") {
        progress.value = job.percent;
        progress.textContent = job.percent + "%";
        // The live region speaks at each tenth, not at every poll.
        const tenth = Math.floor(job.percent / 10) * 10;
        if (tenth !== said) {
          said = tenth;
          status.textContent = "Transcribing on this machine: " + tenth + "%";
        }
      } else if (job.state === "done") {
        status.textContent = "Judged and saved. Opening the debrief…";
        window.location.assign(job.location);
        return;
      } else {
        fail(job.error || "The transcription failed; nothing was saved.");
        return;
      }
    }
  }

  startButton.addEventListener("click", start);
  stopButton.addEventListener("click", stop);
})();
