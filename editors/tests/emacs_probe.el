;;; emacs_probe.el --- drives editors/emacs/pyxray.el in Emacs --batch  -*- lexical-binding: t; -*-
;; emacs --batch -Q -l emacs_probe.el, with PYXRAY_PLUGIN (editors/emacs), PYXRAY_SAMPLE (a copy of
;; sample.py), PYXRAY_BIN, PYXRAY_CLIENT ("eglot" or "lsp-mode") and PYXRAY_MODE ("main", or
;; "bad-path", "bad-version", "crash" for the message each kind of bad input must give, or, for
;; lsp-mode, "beside-pylsp": pyxray as an add-on next to pylsp, found in PYXRAY_PYLSP_DIR).
;; Prints one "ok - ..." or "FAILED - ..." line per check and exits 1 if any failed.

(require 'cl-lib)
(dolist (dir (file-expand-wildcards "/usr/share/emacs/site-lisp/elpa/*"))
  (add-to-list 'load-path dir))
(add-to-list 'load-path (getenv "PYXRAY_PLUGIN"))

(defvar probe-client (getenv "PYXRAY_CLIENT"))
(defvar probe-mode (getenv "PYXRAY_MODE"))
(defvar probe-failed 0)
(defvar probe-messages nil "Everything `message' showed.")

(advice-add 'message :before
            (lambda (format &rest args) (when format (push (apply #'format-message format args) probe-messages))))
(advice-add 'display-warning :before
            (lambda (_type message &rest _) (push message probe-messages)))

(defun probe-report (ok name detail)
  (unless ok (cl-incf probe-failed))
  (princ (format "%s - emacs %s %s %s: %s%s\n" (if ok "ok" "FAILED") emacs-major-version probe-client probe-mode name
                 (if ok "" (format "\n    %s" detail)))))

(defmacro probe-check (name &rest body)
  (declare (indent 1))
  `(condition-case err (progn ,@body (probe-report t ,name nil))
     (error (probe-report nil ,name (error-message-string err)))))

(defun probe-wait (what seconds fn)
  (let ((deadline (+ (float-time) seconds)) value)
    (while (and (not (setq value (ignore-errors (funcall fn)))) (< (float-time) deadline))
      (accept-process-output nil 0.05))
    (or value (error "timed out waiting for %s" what))))

(defun probe-message-with (&rest needles)
  (cl-find-if (lambda (m) (cl-every (lambda (n) (string-search n m)) needles)) probe-messages))

(setq pyxray-server-path (getenv "PYXRAY_BIN"))
(when (equal probe-mode "bad-path") (setq pyxray-server-path "/nonexistent/pyxray"))
(when (equal probe-mode "crash") (setq pyxray-server-path (getenv "PYXRAY_CRASHING_BIN")))
(when (equal probe-mode "bad-version") (setq pyxray-python-version "3.9"))

(require 'python)
(if (equal probe-client "eglot")
    (require 'eglot)
  (setq lsp-auto-guess-root t lsp-client-packages nil lsp-modeline-code-actions-enable nil
        lsp-modeline-diagnostics-enable nil lsp-headerline-breadcrumb-enable nil lsp-lens-enable nil
        lsp-enable-file-watchers nil lsp-restart 'ignore lsp-enable-snippet nil
        lsp-modeline-workspace-status-enable nil lsp-session-file (make-temp-name "/tmp/pyxray-lsp-session-"))
  (when (equal probe-mode "beside-pylsp")
    (setq lsp-client-packages '(lsp-pylsp))
    (add-to-list 'exec-path (getenv "PYXRAY_PYLSP_DIR")))
  (require 'lsp-mode))
(require 'pyxray)

(find-file (getenv "PYXRAY_SAMPLE"))
(python-mode)

(defun probe-start ()
  (if (equal probe-client "eglot")
      (apply #'eglot (eglot--guess-contact))
    (lsp)))

(defun probe-eglot-request (method params)
  "The answer to METHOD, asked without `jsonrpc-request': Emacs 28's jsonrpc answers that one by
throwing out of the process filter, which leaves any message that came in the same read (such as
the diagnostics published right after the answer) unread until the server writes again."
  (let* ((answer nil)
         (done nil))
    (jsonrpc-async-request (eglot-current-server) method params
                           :success-fn (lambda (result) (setq answer result done t))
                           :error-fn (lambda (err) (setq done t) (push (format "%s failed: %S" method err) probe-messages))
                           :timeout-fn (lambda () (setq done t)))
    (probe-wait (format "the answer to %s" method) 20 (lambda () done))
    answer))

(defun probe-hover ()
  (let ((params (list :textDocument (list :uri (concat "file://" buffer-file-name))
                      :position (list :line 4 :character 6))))
    (if (equal probe-client "eglot")
        (plist-get (plist-get (probe-eglot-request :textDocument/hover params) :contents) :value)
      (let ((lsp--cur-workspace (pyxray--lsp-workspace)))
        (pyxray--get (pyxray--get (lsp-request "textDocument/hover" params) "contents") "value")))))

(defvar probe-last-flymake 0.0)

(defun probe-diagnostic-codes ()
  (if (equal probe-client "eglot")
      (progn
        ;; Flymake asks eglot for diagnostics from idle timers, which a batch Emacs waiting in
        ;; `accept-process-output' may not run for a long time: ask again every second (eglot
        ;; answers at once with the diagnostics it has received).
        (when (> (- (float-time) probe-last-flymake) 1.0)
          (setq probe-last-flymake (float-time))
          (flymake-start))
        (mapcar (lambda (d) (format "%s" (flymake-diagnostic-text d))) (flymake-diagnostics)))
    (let (out)
      (maphash (lambda (_file ds) (dolist (d ds) (push (format "%s %s" (pyxray--get d "code") (pyxray--get d "message")) out)))
               (lsp-diagnostics t))
      out)))

(defun probe-keep (name text)
  "Keep TEXT (what the user would see) in $PYXRAY_RESULTS as NAME, for the CI artifacts."
  (when-let ((dir (getenv "PYXRAY_RESULTS")))
    (with-temp-file (expand-file-name (format "emacs-%s-%s" probe-client name) dir) (insert text))))

(defun probe-listing-text ()
  (let ((b (get-buffer (format "*pyxray-dis: %s*" (file-name-nondirectory (getenv "PYXRAY_SAMPLE"))))))
    (and b (with-current-buffer b (buffer-string)))))

(pcase probe-mode
  ("main"
   (probe-check "client starts"
     (probe-start)
     (probe-wait "the server" 20 (lambda () (if (equal probe-client "eglot") (eglot-current-server) (pyxray--lsp-workspace)))))
   (probe-check "hover over a function shows its bytecode"
     (let ((text (probe-wait "a hover with the listing" 20
                             (lambda () (let ((h (probe-hover))) (and h (string-search "MAKE_CELL" h) h))))))
       (probe-keep "hover.md" text)
       (unless (string-search "make_counter" text) (error "%s" text))))
   (probe-check "diagnostics include the identity warning"
     (probe-wait "PX005" 60 (lambda () (cl-find-if (lambda (d) (string-search "is False here" d)) (probe-diagnostic-codes)))))
   (probe-check "pyxray-disassemble shows the listing and follows edits"
     (goto-char (point-min)) (forward-line 4) (forward-char 6)
     (pyxray-disassemble)
     (let ((text (probe-wait "the listing" 20 (lambda () (let ((t1 (probe-listing-text))) (and t1 (string-search "MAKE_CELL" t1) t1))))))
       (unless (string-search "# make_counter · sample.py · CPython 3.13" text) (error "%s" text)))
     (goto-char (point-min)) (forward-line 6)
     (insert "    extra = 4242\n")
     (probe-wait "the listing to follow the edit" 20 (lambda () (string-search "(extra)" (probe-listing-text))))
     (probe-keep "pyxray-disassemble.txt" (probe-listing-text)))
   (probe-check "pyxray-status names the CPython version and where it came from"
     (with-current-buffer (find-buffer-visiting (getenv "PYXRAY_SAMPLE"))
       (pyxray-status)
       (probe-wait "the default" 20 (lambda () (probe-message-with "pyxray: CPython 3.13 — the default")))
       ;; A .python-version next to the file: pyxray-status has the server read it.
       (let ((pinned (expand-file-name ".python-version" (file-name-directory (getenv "PYXRAY_SAMPLE")))))
         (write-region "3.12\n" nil pinned)
         (unwind-protect
             (progn
               (pyxray-status)
               (probe-keep "pyxray-status.txt"
                           (probe-wait "the version from .python-version" 20
                                       (lambda () (probe-message-with (concat pinned " (3.12)"))))))
           (delete-file pinned))))))
  ("beside-pylsp"
   (probe-check "pyxray runs as an add-on next to pylsp"
     (probe-start)
     (probe-wait "both servers" 30
                 (lambda () (let ((ids (mapcar (lambda (w) (lsp--client-server-id (lsp--workspace-client w)))
                                               (lsp-workspaces))))
                              (and (memq 'pylsp ids) (memq 'pyxray ids))))))
   (probe-check "hover from pyxray beside pylsp shows bytecode"
     (probe-wait "a hover with the listing" 20
                 (lambda () (let ((h (probe-hover))) (and h (string-search "MAKE_CELL" h) h)))))
   (probe-check "diagnostics from pyxray beside pylsp"
     (probe-wait "PX005" 60 (lambda () (cl-find-if (lambda (d) (string-search "is False here" d)) (probe-diagnostic-codes))))))
  ("bad-path"
   (probe-check "a wrong server path gives a readable message"
     (condition-case err (probe-start) (error (push (error-message-string err) probe-messages)))
     (probe-wait "the message" 10 (lambda () (probe-message-with "/nonexistent/pyxray" "not an executable file")))))
  ("bad-version"
   (probe-check "an unsupported python version gives a readable message"
     (probe-start)
     (probe-wait "the server's warning" 20 (lambda () (probe-message-with "pythonVersion" "3.9")))))
  ("crash"
   (probe-check "a crashing server gives a readable message"
     (condition-case err (probe-start) (error (push (error-message-string err) probe-messages)))
     (probe-wait "the message" 20 (lambda () (probe-message-with "pyxray" "crashed on purpose"))))))

(when (> probe-failed 0)
  (princ (format "messages shown:\n  %s\n" (string-join (reverse probe-messages) "\n  ")))
  ;; The JSON-RPC traffic, to tell a server that did not publish from a client that dropped it.
  (when-let ((server (and (equal probe-client "eglot") (ignore-errors (eglot-current-server))))
             (events (ignore-errors (jsonrpc-events-buffer server))))
    (princ (format "eglot events:\n%s\n" (with-current-buffer events (buffer-string))))))
(kill-emacs (if (> probe-failed 0) 1 0))
