'use strict';
// Shows the solve's progress and plots x(t) for the runs the main process sends back.
const bar = document.getElementById('progress');
const status = document.getElementById('status');
const button = document.getElementById('solve');
const canvas = document.getElementById('plot');

window.cubie.onProgress(({ done, total }) => {
  bar.max = total;
  bar.value = done;
  status.textContent = `${done} / ${total} runs`;
});

function plot({ time, series }) {
  const ctx = canvas.getContext('2d');
  const { width, height } = canvas;
  const pad = 40;
  const t1 = time[time.length - 1] || 1;
  const px = (t) => pad + ((width - 2 * pad) * t) / t1;
  const py = (x) => height / 2 - ((height / 2 - pad) * x); // x(0) = 1, |x| <= 1
  ctx.clearRect(0, 0, width, height);
  ctx.strokeStyle = '#999';
  ctx.beginPath();
  ctx.moveTo(pad, py(0));
  ctx.lineTo(width - pad, py(0));
  ctx.stroke();
  ctx.fillStyle = '#333';
  ctx.fillText('t', width - pad + 6, py(0) + 4);
  series.forEach(({ zeta, x }, k) => {
    ctx.strokeStyle = `hsl(${(k * 360) / series.length}, 70%, 45%)`;
    ctx.beginPath();
    x.forEach((v, i) => (i ? ctx.lineTo(px(time[i]), py(v)) : ctx.moveTo(px(time[i]), py(v))));
    ctx.stroke();
    ctx.fillStyle = ctx.strokeStyle;
    ctx.fillText(`zeta = ${zeta.toFixed(2)}`, width - pad - 90, pad + 14 * k);
  });
}

button.addEventListener('click', async () => {
  button.disabled = true;
  status.textContent = 'compiling…';
  try {
    const answer = await window.cubie.solve(Number(document.getElementById('runs').value));
    plot(answer);
    status.textContent = `${answer.failed} failed; backend ${answer.kernel.backend}, kernel ${answer.kernel.cache}`;
  } catch (e) {
    status.textContent = e.message;
  } finally {
    button.disabled = false;
  }
});
