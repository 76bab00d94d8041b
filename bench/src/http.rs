//! A minimal HTTP/1.1 keep-alive client over one TCP connection, written here so that what
//! is measured is the server and not a client library. It speaks just enough of the protocol
//! for our own servers: Content-Length or chunked bodies, no pipelining, no redirects.

use anyhow::{Context, anyhow, bail};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A response: status, lower-cased header names with their values, body bytes.
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    /// The first value of a header, by lower-case name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of a header, by lower-case name (Set-Cookie comes several times).
    pub fn headers_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.headers
            .iter()
            .filter(move |(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body as text, for pages and error messages.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// One keep-alive connection.
pub struct Conn {
    stream: TcpStream,
    /// Bytes read but not yet consumed; a reply may arrive in pieces or with the next one's
    /// start (it never does without pipelining, but the parser shouldn't care).
    buf: Vec<u8>,
    pub addr: String,
}

impl Conn {
    pub async fn open(addr: &str) -> anyhow::Result<Conn> {
        let stream = TcpStream::connect(addr)
            .await
            .with_context(|| format!("connect to {addr}"))?;
        // Requests are written in one piece; Nagle would only add delay to small ones.
        stream.set_nodelay(true)?;
        Ok(Conn {
            stream,
            buf: Vec::with_capacity(16 * 1024),
            addr: addr.to_string(),
        })
    }

    /// Sends one complete request (head and body) and reads the whole reply.
    pub async fn send(&mut self, request: &[u8]) -> anyhow::Result<Reply> {
        self.stream.write_all(request).await?;
        self.read_reply().await
    }

    pub async fn get(&mut self, path: &str, cookie: Option<&str>) -> anyhow::Result<Reply> {
        let request = get_request(&self.addr, path, cookie, false);
        self.send(request.as_bytes()).await
    }

    async fn fill(&mut self) -> anyhow::Result<()> {
        let mut chunk = [0u8; 16 * 1024];
        let n = self.stream.read(&mut chunk).await?;
        if n == 0 {
            bail!("the server closed the connection");
        }
        self.buf.extend_from_slice(&chunk[..n]);
        Ok(())
    }

    /// Takes one CRLF-terminated line from the buffer, reading more as needed.
    async fn line(&mut self) -> anyhow::Result<String> {
        loop {
            if let Some(end) = self.buf.windows(2).position(|w| w == b"\r\n") {
                let line = String::from_utf8_lossy(&self.buf[..end]).into_owned();
                self.buf.drain(..end + 2);
                return Ok(line);
            }
            self.fill().await?;
        }
    }

    async fn exact(&mut self, n: usize) -> anyhow::Result<Vec<u8>> {
        while self.buf.len() < n {
            self.fill().await?;
        }
        Ok(self.buf.drain(..n).collect())
    }

    async fn read_reply(&mut self) -> anyhow::Result<Reply> {
        let status_line = self.line().await?;
        let status = status_line
            .split(' ')
            .nth(1)
            .and_then(|c| c.parse().ok())
            .ok_or_else(|| anyhow!("not an HTTP status line: {status_line:?}"))?;
        let mut headers = Vec::new();
        loop {
            let line = self.line().await?;
            if line.is_empty() {
                break;
            }
            if let Some((k, v)) = line.split_once(':') {
                headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
            }
        }
        let mut reply = Reply {
            status,
            headers,
            body: Vec::new(),
        };
        if reply
            .header("transfer-encoding")
            .is_some_and(|v| v.contains("chunked"))
        {
            loop {
                let size = self.line().await?;
                let size = size.split(';').next().unwrap_or("").trim();
                let n = usize::from_str_radix(size, 16)
                    .with_context(|| format!("chunk size {size:?}"))?;
                let chunk = self.exact(n + 2).await?;
                if n == 0 {
                    break;
                }
                reply.body.extend_from_slice(&chunk[..n]);
            }
        } else {
            let length = match reply.header("content-length") {
                Some(v) => v.parse().with_context(|| format!("content-length {v:?}"))?,
                None => 0,
            };
            reply.body = self.exact(length).await?;
        }
        Ok(reply)
    }
}

/// A GET request's bytes; `gzip` asks for compression as a browser would.
pub fn get_request(host: &str, path: &str, cookie: Option<&str>, gzip: bool) -> String {
    let cookie = cookie
        .map(|c| format!("Cookie: {c}\r\n"))
        .unwrap_or_default();
    let gzip = if gzip {
        "Accept-Encoding: gzip\r\n"
    } else {
        ""
    };
    format!("GET {path} HTTP/1.1\r\nHost: {host}\r\n{gzip}{cookie}\r\n")
}

/// A JSON POST request's bytes, with a Bearer token when given.
pub fn post_json(host: &str, path: &str, token: Option<&str>, body: &str) -> Vec<u8> {
    json_request("POST", host, path, token, body)
}

/// A JSON PUT request's bytes, with a Bearer token when given.
pub fn put_json(host: &str, path: &str, token: Option<&str>, body: &str) -> Vec<u8> {
    json_request("PUT", host, path, token, body)
}

fn json_request(method: &str, host: &str, path: &str, token: Option<&str>, body: &str) -> Vec<u8> {
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    format!(
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\n{auth}Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A server that answers each read with the next canned reply, split oddly across writes.
    async fn canned(replies: Vec<&'static [u8]>) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        tokio::spawn(async move {
            let (mut s, _) = listener.accept().await.unwrap();
            for reply in replies {
                let mut buf = [0u8; 4096];
                let _ = s.read(&mut buf).await.unwrap();
                let (a, b) = reply.split_at(reply.len() / 2);
                s.write_all(a).await.unwrap();
                s.flush().await.unwrap();
                s.write_all(b).await.unwrap();
            }
        });
        addr
    }

    #[tokio::test]
    async fn reads_length_and_chunked_bodies_on_one_connection() {
        let addr = canned(vec![
            b"HTTP/1.1 201 Created\r\nContent-Length: 5\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\n\r\nhello",
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n",
        ])
        .await;
        let mut conn = Conn::open(&addr).await.unwrap();
        let first = conn.get("/", None).await.unwrap();
        assert_eq!(first.status, 201);
        assert_eq!(first.text(), "hello");
        assert_eq!(first.headers_named("set-cookie").count(), 2);
        let second = conn.get("/", None).await.unwrap();
        assert_eq!(second.status, 200);
        assert_eq!(second.text(), "abcde");
    }
}
