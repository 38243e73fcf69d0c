//! The peer: nginx as a reverse proxy in front of the same stand-in, so the
//! gateway's streaming ratio can be read next to what a mature C proxy
//! achieves on the same machine in the same run.
//!
//! One nginx process (`master_process off`: one worker, as one stream uses
//! one gateway worker thread), keep-alive to the service, response
//! buffering in memory only (never to a temporary file).

use std::{path::PathBuf, process::Stdio};

use crate::Result;

/// A running nginx; dropping it stops nginx and removes its folder.
pub struct Nginx {
    pub url: String,
    pub pid: Option<u32>,
    dir: PathBuf,
    _child: tokio::process::Child,
}

/// `proxy_buffers` sizes: nginx's default (8 pages of 4 KiB) and a large
/// one, to show what buffer size buys nginx.
pub const BUFFERS: [(&str, &str); 2] = [
    ("default buffers (8 x 4k)", "8 4k"),
    ("8 x 256k buffers", "8 256k"),
];

const CONFIG: &str = r"
worker_processes 1;
master_process off;
daemon off;
pid @DIR@/nginx.pid;
error_log @DIR@/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path @DIR@/body;
    proxy_temp_path @DIR@/proxy;
    fastcgi_temp_path @DIR@/fastcgi;
    uwsgi_temp_path @DIR@/uwsgi;
    scgi_temp_path @DIR@/scgi;
    upstream service {
        server @UPSTREAM@;
        keepalive 16;
    }
    server {
        listen 127.0.0.1:@PORT@;
        location / {
            proxy_pass http://service;
            proxy_http_version 1.1;
            proxy_set_header Connection '';
            proxy_buffering on;
            proxy_buffers @BUFFERS@;
            proxy_max_temp_file_size 0;
        }
    }
}
";

/// Starts nginx in front of `upstream` (`http://127.0.0.1:port`) with the
/// given `proxy_buffers` value and waits until it answers.
pub async fn start(upstream: &str, buffers: &str, tag: &str) -> Result<Nginx> {
    let dir = std::env::temp_dir().join(format!("tonearm-bench-nginx-{}-{tag}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let port = crate::free_port()?;
    let config = CONFIG
        .replace("@DIR@", &dir.to_string_lossy())
        .replace("@UPSTREAM@", upstream.trim_start_matches("http://"))
        .replace("@PORT@", &port.to_string())
        .replace("@BUFFERS@", buffers);
    let config_path = dir.join("nginx.conf");
    std::fs::write(&config_path, config)?;
    let child = tokio::process::Command::new("nginx")
        .arg("-p")
        .arg(&dir)
        .arg("-e")
        .arg(dir.join("error.log"))
        .arg("-c")
        .arg(&config_path)
        .stdout(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .map_err(|error| format!("starting nginx (apt-get install -y nginx-light): {error}"))?;
    let nginx = Nginx {
        url: format!("http://127.0.0.1:{port}"),
        pid: child.id(),
        dir,
        _child: child,
    };
    crate::wait_until_up(&nginx.url, "/healthz", "nginx").await?;
    Ok(nginx)
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
