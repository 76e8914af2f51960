//! A fleet's deployment server that takes events over https only from machines holding a
//! certificate of the fleet's CA (`[reporting] client_cert`/`client_key`/`ca`, or
//! `inst.webhook.cert=`/`key=`/`ca=` on the kernel command line): the events arrive under
//! the client's certificate; a certificate of another CA is refused by the server and the
//! install goes on; a certificate that cannot be read refuses the install before any disk
//! is touched.

mod common;

use std::os::unix::fs::MetadataExt;
use std::process::{Command, Output};

use common::hook::refused_answer;
use common::tls_hook::{Pki, TlsHook};

/// `install --yes --progress json ANSWER` with the kernel command line `cmdline`.
fn install(img: &common::Image, answer: &str, cmdline: &str) -> Output {
    let file = img.dir.path().join("answer.toml");
    std::fs::write(&file, answer).unwrap();
    let cl = img.dir.path().join("cmdline");
    std::fs::write(&cl, format!("console=ttyS0 {cmdline}\n")).unwrap();
    Command::new(common::bin())
        .arg("--cmdline")
        .arg(&cl)
        .args(["install", "--yes", "--progress", "json", "--log"])
        .arg(img.dir.path().join("install.log"))
        .arg(&file)
        .env("AZL_RUN_DIR", img.dir.path().join("run"))
        .output()
        .unwrap()
}

/// Every post came with the fleet client's certificate (and `auth`), and the last one is
/// the install's `ended` with its exit code and final report (a refusal at preflight is
/// the whole stream).
fn assert_posted_as_the_client(hook: &TlsHook, img: &common::Image, auth: Option<&str>, exit: i64) {
    let posts = hook.posts();
    let log = std::fs::read_to_string(img.dir.path().join("install.log")).unwrap_or_default();
    assert!(!posts.is_empty(), "nothing posted; the log:\n{log}");
    for p in &posts {
        assert_eq!(p.cn.as_deref(), Some("rack-07.fleet"), "{}", p.event);
        assert_eq!(p.auth.as_deref(), auth, "{}", p.event);
    }
    let last = &posts.last().unwrap().event;
    assert_eq!(last["event"], "ended", "{last}");
    assert_eq!(last["exit_code"], exit, "{last}");
    assert!(last["report"]["machine"]["macs"].is_array(), "{last}");
}

#[test]
fn the_answers_webhook_presents_the_client_certificate_and_trusts_the_fleets_ca() {
    let pki = Pki::new();
    let hook = TlsHook::start(&pki);
    let img = common::Image::sparse(8 << 30);
    // The key as PEM text in the answer, the certificate and the CA as paths.
    let key = std::fs::read_to_string(pki.file("client.key")).unwrap();
    let answer = refused_answer(
        &img.path,
        &format!(
            "[reporting]\nwebhook = \"{}\"\ntoken = \"fleet-token\"\nclient_cert = \"{}\"\n\
             client_key = \"\"\"\n{key}\"\"\"\nca = \"{}\"\n",
            hook.url(),
            pki.file("client.pem").display(),
            pki.file("ca.pem").display()
        ),
    );
    let o = install(&img, &answer, "");
    assert_eq!(o.status.code(), Some(3), "{}", common::output_text(&o));
    assert_posted_as_the_client(&hook, &img, Some("Bearer fleet-token"), 3);
    let log = std::fs::read_to_string(img.dir.path().join("install.log")).unwrap_or_default();
    assert!(
        !log.contains("PRIVATE KEY") && !common::output_text(&o).contains("PRIVATE KEY"),
        "the key was shown"
    );
}

/// A refused install with the kernel command line's webhook presenting the client
/// certificate `client` (NAME.pem, NAME.key) and trusting the fleet's CA.
fn install_with_cmdline_certificate(
    pki: &Pki,
    hook: &TlsHook,
    img: &common::Image,
    client: &str,
) -> Output {
    install(
        img,
        &refused_answer(&img.path, ""),
        &format!(
            "inst.webhook={} inst.webhook.cert={} inst.webhook.key={} inst.webhook.ca={}",
            hook.url(),
            pki.file(&format!("{client}.pem")).display(),
            pki.file(&format!("{client}.key")).display(),
            pki.file("ca.pem").display()
        ),
    )
}

#[test]
fn the_kernel_command_lines_webhook_takes_its_certificate_key_and_ca_from_files() {
    let pki = Pki::new();
    let hook = TlsHook::start(&pki);
    let img = common::Image::sparse(8 << 30);
    let o = install_with_cmdline_certificate(&pki, &hook, &img, "client");
    assert_eq!(o.status.code(), Some(3), "{}", common::output_text(&o));
    assert_posted_as_the_client(&hook, &img, None, 3);
}

/// The server refuses a certificate of another CA: nothing is posted, the install ends as
/// it would have (not held up beyond the last event's retries), and the log says why.
#[test]
fn a_certificate_the_server_refuses_does_not_stop_the_install() {
    let pki = Pki::new();
    let hook = TlsHook::start(&pki);
    let img = common::Image::sparse(8 << 30);
    let o = install_with_cmdline_certificate(&pki, &hook, &img, "stranger");
    assert_eq!(o.status.code(), Some(3), "{}", common::output_text(&o));
    assert_eq!(hook.posts().len(), 0);
    let log = std::fs::read_to_string(img.dir.path().join("install.log")).unwrap_or_default();
    assert!(
        log.contains(&format!("webhook {}", hook.url())),
        "no warning naming the webhook: {log}"
    );
}

/// A key file that is not there: refused (exit 2) naming the key and the file, before the
/// disk is touched; the kernel command line's webhook still hears of it.
#[test]
fn an_unreadable_client_key_refuses_the_install_before_any_disk_is_touched() {
    let pki = Pki::new();
    let hook = TlsHook::start(&pki);
    let fallback = common::hook::Hook::listen();
    let img = common::Image::sparse(8 << 30);
    let answer = refused_answer(
        &img.path,
        &format!(
            "[reporting]\nwebhook = \"{}\"\nclient_cert = \"{}\"\nclient_key = \"/nonexistent/client.key\"\n",
            hook.url(),
            pki.file("client.pem").display()
        ),
    );
    let o = install(&img, &answer, &format!("inst.webhook={}", fallback.url()));
    let text = common::output_text(&o);
    assert_eq!(o.status.code(), Some(2), "{text}");
    assert!(
        text.contains("reporting.client_key: cannot read /nonexistent/client.key"),
        "{text}"
    );
    assert_eq!(std::fs::metadata(&img.path).unwrap().blocks(), 0);
    assert_eq!(hook.posts().len(), 0);
    let last = fallback.bodies();
    let ended: serde_json::Value = serde_json::from_str(
        last.last()
            .expect("the kernel line's webhook heard nothing"),
    )
    .unwrap();
    assert_eq!(ended["event"], "ended");
    assert_eq!(ended["exit_code"], 2);
}

/// A placeholder the installer does not know in `inst.answer=`: no answer is fetched, and
/// the kernel command line's webhook hears why (exit 2).
#[test]
fn a_bad_placeholder_in_inst_answer_reaches_the_kernel_lines_webhook() {
    let hook = common::hook::Hook::listen();
    let dir = tempfile::tempdir().unwrap();
    let cl = dir.path().join("cmdline");
    std::fs::write(
        &cl,
        format!(
            "inst.answer=http://127.0.0.1:9/answers/{{rack}}.toml inst.webhook={}\n",
            hook.url()
        ),
    )
    .unwrap();
    let o = Command::new(common::bin())
        .arg("--cmdline")
        .arg(&cl)
        .args(["install", "--yes"])
        .env("AZL_RUN_DIR", dir.path().join("run"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", common::output_text(&o));
    let posted = hook.bodies();
    let ended: serde_json::Value =
        serde_json::from_str(posted.last().expect("nothing posted")).unwrap();
    assert_eq!(ended["event"], "ended", "{posted:?}");
    assert_eq!(ended["exit_code"], 2);
    assert!(
        ended["error"]
            .as_str()
            .is_some_and(|e| e.contains("unknown placeholder {rack}")),
        "{ended}"
    );
}
