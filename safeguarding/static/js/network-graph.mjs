import cytoscape from "/static/vendor/cytoscape/cytoscape.esm.min.mjs";

// The network graph: the page's JSON (json_script, so no inline script) drawn with Cytoscape.js. The table
// on the same page holds the same facts for keyboard and screen-reader users; the graph is hidden until
// drawn, so without JavaScript nothing is left empty. Labels come from the server as they are: a person the
// viewer may not open is "Known to another agency: contact …", never a name.
const container = document.getElementById("network-graph");
const data = document.getElementById("network-data");

if (container && data) {
  const { nodes, edges } = JSON.parse(data.textContent);
  container.hidden = false;
  const cy = cytoscape({
    container,
    elements: { nodes, edges },
    autoungrabify: false,
    wheelSensitivity: 0.2,
    style: [
      {
        selector: "node",
        style: {
          label: "data(label)",
          "text-wrap": "wrap",
          "text-max-width": "160px",
          "font-size": "12px",
          "font-family": "arial, sans-serif",
          color: "#0b0c0c",
          "text-valign": "bottom",
          "text-margin-y": 4,
          "background-color": "#1d70b8",
          width: 24,
          height: 24,
        },
      },
      { selector: "node[kind != 'person']", style: { shape: "round-rectangle", "background-color": "#00703c" } },
      { selector: "node[!visible]", style: { "background-color": "#505a5f", shape: "diamond" } },
      { selector: "node[?centre]", style: { "border-width": 4, "border-color": "#ffdd00", width: 32, height: 32 } },
      {
        selector: "edge",
        style: {
          label: "data(label)",
          "font-size": "10px",
          "text-rotation": "autorotate",
          "text-background-color": "#ffffff",
          "text-background-opacity": 1,
          width: 2,
          "line-color": "#505a5f",
          "target-arrow-color": "#505a5f",
          "target-arrow-shape": "triangle",
          "curve-style": "bezier",
        },
      },
      // Alleged is not established: a dashed line, never drawn like a confirmed membership.
      { selector: "edge[status = 'alleged']", style: { "line-style": "dashed" } },
      { selector: "edge[status = 'confirmed']", style: { width: 3, "line-color": "#0b0c0c" } },
      { selector: "edge[status = 'lapsed']", style: { "line-style": "dotted", "line-color": "#b1b4b6" } },
    ],
    layout: {
      name: "concentric",
      concentric: (node) => 3 - node.data("hops"),
      levelWidth: () => 1,
      minNodeSpacing: 60,
      animate: false,
    },
  });
  cy.on("tap", "node", (event) => {
    const url = event.target.data("url");
    if (url) window.location.assign(url);
  });
  // For the browser tests and for anyone debugging the page in devtools.
  container.cy = cy;
  container.dataset.drawn = "true";
}
