// Hypercore 11 side of bench/bench_sync.sh: N blocks of SIZE bytes replicated
// from one core to another over a loopback TCP socket, each core in its own
// process, the same shape as the coop run (a daemon serving a full log, a
// fresh node pulling all of it).
//
//   node bench.js [N] [SIZE] [DIR]      (default 100000 blocks of 256 bytes)
//
// Three processes, so that each side's peak RSS is its own:
//   fill   appends N blocks in batches of 1000 (like make_log), prints the key
//   serve  a fresh process opens the full core and serves it on 127.0.0.1:0
//   (main) the reader: a new core with that key connects, and the timer runs
//          from connect until download({start: 0, end: N}) is done, i.e.
//          every block fetched and verified against the writer's signed tree.
// Prints one line of JSON with blocks/s and each side's peak RSS
// (process.resourceUsage().maxRSS, KiB).
'use strict'
const { fork } = require('child_process')
const crypto = require('crypto')
const fs = require('fs')
const net = require('net')
const os = require('os')
const path = require('path')
const Hypercore = require('hypercore')

const BATCH = 1000

function message (child, type) {
  return new Promise((resolve, reject) => {
    const onMessage = (m) => {
      if (m.type !== type) return
      child.off('message', onMessage)
      resolve(m)
    }
    child.on('message', onMessage)
    child.once('exit', (code) => reject(new Error(`child exited (${code}) before '${type}'`)))
  })
}

async function fill (dir, n, size) {
  const core = new Hypercore(dir)
  await core.ready()
  const start = process.hrtime.bigint()
  const blocks = []
  for (let i = 0; i < n; i++) {
    const block = crypto.randomBytes(size)
    block.write(i.toString(16).padStart(12, '0'), 0, 'latin1')
    blocks.push(block)
    if (blocks.length === BATCH || i === n - 1) {
      await core.append(blocks)
      blocks.length = 0
    }
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9
  const key = core.key.toString('hex')
  await core.close()
  process.send({ type: 'filled', key, seconds, length: n })
}

async function serve (dir) {
  const core = new Hypercore(dir)
  await core.ready()
  const sockets = new Set()
  const server = net.createServer((socket) => {
    sockets.add(socket)
    socket.on('error', () => {})
    socket.on('close', () => sockets.delete(socket))
    const stream = core.replicate(false)
    stream.on('error', () => {})
    socket.pipe(stream).pipe(socket)
  })
  server.listen(0, '127.0.0.1', () => {
    process.send({ type: 'listening', port: server.address().port, length: core.length })
  })
  process.on('message', async (m) => {
    if (m.type !== 'stop') return
    const usage = process.resourceUsage()
    for (const socket of sockets) socket.destroy()
    server.close()
    await core.close()
    process.send({ type: 'stopped', maxRSS: usage.maxRSS, cpu: (usage.userCPUTime + usage.systemCPUTime) / 1e6 })
    process.exit(0)
  })
}

async function main () {
  const n = Number(process.argv[2] || 100000)
  const size = Number(process.argv[3] || 256)
  const base = process.argv[4] || fs.mkdtempSync(path.join(os.tmpdir(), 'hypercore-bench-'))
  const writerDir = path.join(base, 'writer')
  const readerDir = path.join(base, 'reader')
  fs.rmSync(readerDir, { recursive: true, force: true })

  // Fill once; a later run with the same DIR reuses the writer core.
  let key, fillSeconds = null
  const keyFile = path.join(base, 'key')
  if (fs.existsSync(keyFile) && fs.readFileSync(keyFile, 'utf8').split(' ')[1] === `${n}x${size}`) {
    key = fs.readFileSync(keyFile, 'utf8').split(' ')[0]
  } else {
    fs.rmSync(writerDir, { recursive: true, force: true })
    const filler = fork(__filename, ['fill', writerDir, n, size])
    const filled = await message(filler, 'filled')
    key = filled.key
    fillSeconds = filled.seconds
    fs.writeFileSync(keyFile, `${key} ${n}x${size}`)
  }

  const server = fork(__filename, ['serve', writerDir])
  const { port, length } = await message(server, 'listening')
  if (length !== n) throw new Error(`writer core has ${length} blocks, expected ${n}`)

  const reader = new Hypercore(readerDir, Buffer.from(key, 'hex'))
  await reader.ready()
  const cpuBefore = process.cpuUsage()
  const start = process.hrtime.bigint()
  const socket = net.connect(port, '127.0.0.1')
  const stream = reader.replicate(true)
  socket.pipe(stream).pipe(socket)
  await reader.download({ start: 0, end: n }).done()
  const seconds = Number(process.hrtime.bigint() - start) / 1e9
  const cpu = process.cpuUsage(cpuBefore)
  if (reader.contiguousLength !== n) throw new Error(`reader has ${reader.contiguousLength} of ${n}`)
  const readerUsage = process.resourceUsage()

  const stoppedPromise = message(server, 'stopped')
  server.send({ type: 'stop' })
  const stopped = await stoppedPromise
  socket.destroy()
  await reader.close()

  console.log(JSON.stringify({
    blocks: n,
    block_bytes: size,
    seconds: Number(seconds.toFixed(3)),
    blocks_per_second: Math.round(n / seconds),
    reader_rss_kib: readerUsage.maxRSS,
    writer_rss_kib: stopped.maxRSS,
    reader_cpu_seconds: Number(((cpu.user + cpu.system) / 1e6).toFixed(2)),
    writer_cpu_seconds: Number(stopped.cpu.toFixed(2)),
    fill_seconds: fillSeconds === null ? null : Number(fillSeconds.toFixed(2)),
    hypercore: require('hypercore/package.json').version,
    node: process.version
  }))
  if (!process.argv[4]) fs.rmSync(base, { recursive: true, force: true })
  process.exit(0)
}

const mode = process.argv[2]
if (mode === 'fill') {
  fill(process.argv[3], Number(process.argv[4]), Number(process.argv[5])).catch((e) => { console.error(e); process.exit(1) })
} else if (mode === 'serve') {
  serve(process.argv[3]).catch((e) => { console.error(e); process.exit(1) })
} else {
  main().catch((e) => { console.error(e); process.exit(1) })
}
