"""Portuguese rows for arms-transfers seeds: KIND|SPLIT|title|text|note (see arms_build.py)."""

LANG = "pt"
ROWS = """
P|t|Embraer fecha venda de KC-390 para a Holanda e a Áustria|A fabricante brasileira vai fornecer nove cargueiros militares C-390 Millennium aos dois países europeus, em compra conjunta anunciada nesta quarta-feira. Os aviões serão entregues a partir de 2027. A empresa já soma oito clientes militares para o modelo.|KC-390 export
P|t|Portugal recebe o primeiro KC-390|A Força Aérea Portuguesa recebeu em Beja o primeiro de cinco aviões de transporte comprados à Embraer.|Portugal receives Brazilian aircraft
P|t|Lula recusa vender munição de tanques à Alemanha|O governo brasileiro negou o pedido de Berlim para exportar munição que seria enviada à Ucrânia, alegando neutralidade.|Brazil refuses ammunition export
P|t|Gripen montado no Brasil faz primeiro voo|O primeiro caça Gripen E montado na fábrica da Embraer em Gavião Peixoto decolou, num programa de produção sob licença com a sueca Saab.|Licensed production Gripen
P|t|Coreia do Norte envia projéteis de artilharia à Rússia|A inteligência sul-coreana afirma que Pyongyang enviou milhões de projéteis para Moscou.|DPRK shells to Russia
P|t|Irã fornece drones Shahed à Rússia, diz Casa Branca|Os EUA afirmam que Teerã entregou centenas de drones e ajuda a montar uma fábrica em território russo.|Iranian drones to Russia
P|t|Alemanha aprova envio de tanques Leopard à Ucrânia|O governo alemão deu sinal verde à entrega de tanques Leopard 2 e permitiu que aliados façam o mesmo.|Leopard approval
P|t|PF desarticula quadrilha que contrabandeava fuzis do Paraguai|A Polícia Federal apreendeu 40 fuzis trazidos do Paraguai e destinados a facções criminosas no Rio de Janeiro. As armas eram escondidas em carregamentos de soja. Sete pessoas foram presas em três estados.|Cross-border gun smuggling
P|t|Relatório do SIPRI aponta alta nas importações de armas na Europa|As importações europeias de armamento pesado quase dobraram em cinco anos, segundo o instituto sueco.|SIPRI report
P|t|Indonésia compra caças Rafale franceses|Jacarta confirmou a encomenda de 42 caças Rafale à Dassault Aviation.|Indonesia buys Rafale
P|t|Angola adquire navios-patrulha ao Brasil|A Marinha angolana vai receber navios de patrulha construídos em estaleiros brasileiros.|Angola buys Brazilian patrol ships
P|t|EUA doam blindados ao exército de Moçambique|Washington entregou viaturas blindadas e equipamento às forças que combatem a insurgência em Cabo Delgado. A entrega ocorreu no porto de Pemba. Ruanda também mantém tropas na província.|US donates armoured vehicles
P|t|Polônia recebe mais tanques K2 da Coreia do Sul|Um novo lote de tanques K2 chegou ao porto de Gdynia.|Poland receives Korean tanks
P|t|ONU denuncia violações do embargo de armas no Sudão|Especialistas das Nações Unidas dizem que armas continuam a chegar às Forças de Apoio Rápido.|Sudan embargo violations
P|t|Filipinas compram aviões Super Tucano|A Força Aérea filipina encomendou mais seis aviões A-29 à Embraer.|Super Tucano export
H|t|Cessar-fogo em Gaza entra em vigor|Milhares de deslocados começaram a regressar às suas casas.|Ceasefire
H|t|Benfica confirma transferência de avançado para Inglaterra|O clube encaixou 80 milhões de euros com a venda do jogador. O jogador despediu-se dos adeptos nas redes sociais. A venda é a maior da história do clube.|Football transfer
H|t|Pix bate recorde de transferências num só dia|O sistema de pagamentos instantâneos registou mais de 220 milhões de transações.|Money transfers
H|t|Decreto restringe porte de armas para colecionadores|O novo decreto reduz o número de armas permitidas para caçadores, atiradores e colecionadores. Clubes de tiro terão de funcionar longe de escolas. Associações de atiradores prometem recorrer à justiça.|Domestic gun law
H|t|Tiroteio em escola deixa feridos|A polícia prendeu um adolescente armado com a pistola do pai.|Domestic shooting
H|t|Desfile de 7 de Setembro reúne milhares em Brasília|Tropas e blindados do Exército desfilaram na Esplanada dos Ministérios.|Military parade
H|t|Armazém de fertilizantes pega fogo no porto|O incêndio num armazém de adubos mobilizou dezenas de bombeiros e fez disparar o alarme na cidade. Não houve feridos. A fumaça levou a prefeitura a pedir que moradores fechassem as janelas.|Armazém/alarme words
H|t|Orçamento da Defesa terá aumento de 5%|O governo reservou recursos para o programa de submarinos e salários de militares.|Defence budget
H|t|Exército realiza exercício na Amazônia|Cerca de 3 mil militares participam da operação de treino na fronteira.|Military exercise
H|t|Lateral fratura o braço e desfalca a equipa|O jogador ficará afastado por dois meses.|Arm injury
N|t|Inflação desacelera em fevereiro|O IPCA subiu 0,4% no mês.|Inflation
N|t|Chuvas fortes causam alagamentos em São Paulo|A Defesa Civil emitiu alerta para risco de deslizamentos. Várias linhas de trem tiveram a circulação interrompida. A previsão é de mais chuva no fim de semana.|Rain
N|t|Carnaval de Salvador atrai turistas|A ocupação dos hotéis superou 90%.|Carnival
N|t|Selecção vence amigável em Lisboa|Portugal bateu a Suécia por 3-1.|Football match
N|t|Preço da gasolina cai nos postos|A queda foi de 2% na última semana.|Fuel prices
N|t|Universidade abre inscrições para bolsas|O programa oferece 500 vagas.|Education
N|t|Nova linha de metrô é inaugurada|A linha liga o centro à zona leste.|Metro
P|e|Hungria recebe cargueiro brasileiro C-390|-|KC-390 delivered to Hungary
P|e|Brasil negocia compra de helicópteros italianos|O Exército avalia a aquisição de aeronaves de ataque.|Helicopter purchase talks
P|e|Apreensão de armas na fronteira com a Bolívia|Os fuzis seriam entregues a uma facção.|Arms smuggling
P|e|Portugal envia munições para a Ucrânia|O Ministério da Defesa confirmou o envio de obuses e munições.|Portugal aid to Ukraine
H|e|Trégua no Líbano é violada|Os dois lados trocaram acusações.|Truce
H|e|Clube anuncia transferência de médio brasileiro|O jogador assinou por quatro anos.|Player transfer
H|e|Coreia do Norte testa míssil de curto alcance|O lançamento foi detetado pelo Japão.|Missile test
N|e|Festival de cinema abre em Gramado|Filmes de 12 países concorrem.|Film festival
H|t|Brasil bate recorde de exportação de soja para a China|Os embarques somaram 70 milhões de toneladas no ano.|Trade exports
H|t|Avião da FAB leva ajuda humanitária ao Líbano|A aeronave transportou medicamentos e repatriou brasileiros.|Aid flight
H|t|Importação de diesel russo cresce no Brasil|A Rússia tornou-se a principal fornecedora de diesel ao país.|Diesel imports
P|t|Argentina compra blindados Stryker dos EUA|Buenos Aires assinou a compra de veículos blindados norte-americanos.|Argentina buys US armour
H|t|Zelensky e Lula conversam em Nova Iorque|O encontro durou uma hora e tratou de uma possível mediação.|Diplomacy
P|t|Portugal entrega três tanques Leopard à Ucrânia|Os carros de combate seguiram por via marítima para a Polónia.|Portuguese tanks to Ukraine
"""
